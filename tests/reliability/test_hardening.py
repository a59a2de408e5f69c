"""Low-severity holes of the attack pass (issue 12, items 6 and 8): who cancels a job, what the
engines page shows, the public media URL, invisible characters in names, one size limit for
pasted and uploaded text, and markup in exported subtitle text."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import make_user
from translator.models import Episode, TranslationJob
from translator.services import editing, translation

pytestmark = pytest.mark.django_db


# --- item 6: translators cancel their own jobs, reviewers any -----------------------------------


@pytest.fixture
def running_jobs(sample_episode, translator_user, reviewer_user):
    other = make_user("otto", group="translator")
    mine = TranslationJob.objects.create(
        episode=sample_episode, engine="argos", state="running", requested_by=translator_user
    )
    theirs = TranslationJob.objects.create(
        episode=sample_episode, engine="argos", state="running", requested_by=other
    )
    return mine, theirs


def test_a_translator_cannot_cancel_someone_elses_job(client, running_jobs, translator_user):
    mine, theirs = running_jobs
    client.force_login(translator_user)
    assert client.post(f"/jobs/{theirs.pk}/cancel/", HTTP_HX_REQUEST="true").status_code == 403
    theirs.refresh_from_db()
    assert not theirs.cancel_requested
    with pytest.raises(PermissionDenied):  # the service checks too
        translation.request_cancel(job_id=theirs.pk, user=translator_user)
    assert client.post(f"/jobs/{mine.pk}/cancel/", HTTP_HX_REQUEST="true").status_code == 200
    mine.refresh_from_db()
    assert mine.cancel_requested


def test_a_reviewer_cancels_any_job_and_the_button_follows(
    client, running_jobs, reviewer_user, translator_user, sample_episode
):
    mine, theirs = running_jobs
    client.force_login(translator_user)
    panel = client.get(f"/episodes/{sample_episode.pk}/jobs/panel/").text  # latest: theirs
    assert f"/jobs/{theirs.pk}/cancel/" not in panel
    client.force_login(reviewer_user)
    panel = client.get(f"/episodes/{sample_episode.pk}/jobs/panel/").text
    assert f"/jobs/{theirs.pk}/cancel/" in panel
    assert client.post(f"/jobs/{theirs.pk}/cancel/", HTTP_HX_REQUEST="true").status_code == 200
    theirs.refresh_from_db()
    assert theirs.cancel_requested
