import pytest


@pytest.mark.django_db
def test_smoke(client, reviewer_user, sample_episode):
    client.force_login(reviewer_user)
    r = client.get(f"/episodes/{sample_episode.pk}/")
    assert r.status_code == 200, r.content[:2000]
    open("/tmp/scratch/page.html", "wb").write(r.content)
