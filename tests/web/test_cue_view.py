"""The cue view page and the retime endpoint (JSON for the waveform, HTML rows for the page)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.support.factories import timed_episode
from translator.models import Cue, EditAction

pytestmark = pytest.mark.django_db


def _episode(n: int = 4):
    return timed_episode(
        n,
        speakers=[("永野", "Nagano")],
        label=lambda i: "永野",
        source=lambda i: f"これは{i}番目の文です。",
        text=lambda i: f"This is sentence number {i}.",
    )


def _cue(ep, order: int) -> Cue:
    return Cue.objects.get(segment__episode=ep, segment__order=order)


def _url(ep, cue) -> str:
    return reverse("translator:cue_retime", args=[ep.pk, cue.pk])


def _post(client, ep, cue, *, json_=True, htmx=False, **data):
    headers = {}
    if json_:
        headers["HTTP_ACCEPT"] = "application/json"
    if htmx:
        headers["HTTP_HX_REQUEST"] = "true"
    return client.post(_url(ep, cue), data, **headers)


def test_retime_json_returns_the_saved_cue(client, translator_user):
    ep = _episode()
    cue = _cue(ep, 1)
    client.force_login(translator_user)
    response = _post(client, ep, cue, start_ms=3100, end_ms=5400, version=1)
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("id", "start_ms", "end_ms", "version")} == {
        "id": cue.pk,
        "start_ms": 3100,
        "end_ms": 5400,
        "version": 2,
    }
    assert "error" not in body
    # "This is sentence number 1." is 26 characters over 2.3 s
    assert body["cps"] == pytest.approx(26 / 2.3, abs=0.05)
    cue.refresh_from_db()
    assert (cue.start_ms, cue.end_ms, cue.timing, cue.version) == (3100, 5400, "manual", 2)
    assert EditAction.objects.get().kind == EditAction.Kind.RETIME


def test_retime_json_conflict_is_409_with_both_timings(client, translator_user, reviewer_user):
    ep = _episode()
    cue = _cue(ep, 1)
    client.force_login(reviewer_user)
    assert _post(client, ep, cue, start_ms=3200, end_ms=5500, version=1).status_code == 200
    client.force_login(translator_user)
    response = _post(client, ep, cue, start_ms=3000, end_ms=5000, version=1)
    assert response.status_code == 409
    body = response.json()
    assert body["conflict"] is True and body["error"]
    assert (body["start_ms"], body["end_ms"], body["version"]) == (3200, 5500, 2)
    assert body["yours"] == {"start_ms": 3000, "end_ms": 5000}
    cue.refresh_from_db()
    assert (cue.start_ms, cue.end_ms) == (3200, 5500)
    # overwrite after seeing the conflict
    response = _post(client, ep, cue, start_ms=3000, end_ms=5000, version=2, overwrite="1")
    assert response.status_code == 200 and response.json()["version"] == 3


def test_retime_json_broken_rule_is_400_naming_the_neighbour(client, translator_user):
    ep = _episode()
    cue = _cue(ep, 1)  # 3000-5500; the next cue starts at 6000
    client.force_login(translator_user)
    response = _post(client, ep, cue, start_ms=3000, end_ms=6100, version=1)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Overlaps row 3, cue 1 (00:00:06.000–00:00:08.500)."
    assert "\n" not in body["error"]
    assert (body["start_ms"], body["end_ms"], body["version"]) == (3000, 5500, 1)
    response = _post(client, ep, cue, start_ms=3000, end_ms=5950, version=1)
    assert response.status_code == 400
    assert response.json()["error"].startswith("Only 50 ms from row 3, cue 1")
    response = _post(client, ep, cue, start_ms=3000, end_ms=3500, version=1)
    assert response.status_code == 400 and "at least 833 ms" in response.json()["error"]
    assert _cue(ep, 1).version == 1


def test_retime_bad_input_is_400_in_one_line(client, translator_user):
    ep = _episode()
    cue = _cue(ep, 1)
    client.force_login(translator_user)
    for data in ({"start_ms": "x", "end_ms": 5000, "version": 1}, {"start_ms": 10}):
        response = _post(client, ep, cue, **data)
        assert response.status_code == 400
        assert response.json()["error"] == "Give start_ms, end_ms and version as whole numbers."
    response = _post(client, ep, cue, start_ms=-5, end_ms=5000, version=1)
    assert response.status_code == 400 and "\n" not in response.json()["error"]


def test_retime_htmx_returns_the_segment_rows(client, translator_user):
    ep = _episode()
    cue = _cue(ep, 1)
    client.force_login(translator_user)
    response = _post(client, ep, cue, json_=False, htmx=True, start_ms=3100, end_ms=5400, version=1)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="cue-{cue.pk}"' in html and 'data-version="2"' in html
    assert "00:00:03.100" in html and "00:00:05.400" in html and "hand-set" in html
    assert response["HX-Trigger"] == "cueRetimed"


def test_retime_htmx_rule_error_inline_and_conflict_view(client, translator_user, reviewer_user):
    ep = _episode()
    cue = _cue(ep, 1)
    client.force_login(translator_user)
    response = _post(client, ep, cue, json_=False, htmx=True, start_ms=3000, end_ms=6100, version=1)
    html = response.content.decode()
    assert 'role="alert"' in html and "Overlaps row 3, cue 1" in html
    client.force_login(reviewer_user)
    _post(client, ep, cue, start_ms=3200, end_ms=5500, version=1)
    client.force_login(translator_user)
    response = _post(client, ep, cue, json_=False, htmx=True, start_ms=2900, end_ms=5500, version=1)
    assert response["X-Jimaku-Conflict"] == "1"
    html = response.content.decode()
    assert "cue-conflict" in html and "00:00:03.200–00:00:05.500" in html
    assert "00:00:02.900–00:00:05.500" in html and 'data-choice="mine"' in html


def test_retime_permissions_and_other_episode(client, plain_user, translator_user):
    ep = _episode()
    other = _episode()
    cue = _cue(ep, 1)
    client.force_login(plain_user)
    assert _post(client, ep, cue, start_ms=3100, end_ms=5400, version=1).status_code == 403
    client.force_login(translator_user)
    response = client.post(
        reverse("translator:cue_retime", args=[other.pk, cue.pk]),
        {"start_ms": 3100, "end_ms": 5400, "version": 1},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 404
    assert _cue(ep, 1).version == 1


def test_cue_view_page_shows_times_duration_cps_and_provenance(client, reviewer_user):
    ep = _episode(3)
    client.force_login(reviewer_user)
    response = client.get(reverse("translator:cue_view", args=[ep.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "00:00:03.000" in html and "00:00:05.500" in html and "2.500" in html
    assert "This is sentence number 1." in html and "これは1番目の文です。" in html
    assert "estimated" in html and 'src="/static/translator/cues.js"' in html
    # linked from the review page
    review = client.get(reverse("translator:episode_detail", args=[ep.pk])).content.decode()
    assert reverse("translator:cue_view", args=[ep.pk]) in review


def test_cue_view_query_count_is_constant(client, reviewer_user):
    client.force_login(reviewer_user)
    counts = []
    for n in (30, 340):
        ep = _episode(n)
        url = reverse("translator:cue_view", args=[ep.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url + "?page=2").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_cue_row_endpoint_and_json_shape_is_stable(client, translator_user):
    ep = _episode()
    cue = _cue(ep, 0)
    client.force_login(translator_user)
    response = client.get(reverse("translator:cue_row", args=[ep.pk, cue.pk]))
    assert response.status_code == 200 and f'id="cue-{cue.pk}"' in response.content.decode()
    body = _post(client, ep, cue, start_ms=100, end_ms=2400, version=1).json()
    assert set(body) >= {"id", "start_ms", "end_ms", "version", "cps"}
    json.dumps(body)


def test_cue_view_in_japanese(client, translator_user):
    ep = _episode(2)
    client.force_login(translator_user)
    _post(client, ep, _cue(ep, 0), start_ms=0, end_ms=2400, version=1)
    html = client.get(
        reverse("translator:cue_view", args=[ep.pk]), HTTP_ACCEPT_LANGUAGE="ja"
    ).content.decode()
    for text in (
        "レビュー画面に戻る",
        "字幕キューを書き出しと同じ形で",
        "手動",
        "推定",
        "長さ（秒）",
    ):
        assert text in html, text
