"""People decide: the policy page and the API put a version in service or take it back in one
step, recorded in the admin log; a version that never served cannot be "rolled back" to; the
periodic fit is off until an admin switches it on."""
from __future__ import annotations

import json

import pytest
from django.contrib.admin.models import LogEntry

from moderation.adaptation.selectors import site_adaptation_periodic
from moderation.adaptation.tasks import adapt_to_site
from moderation.models import ModelVersion
from tests.factories import UserFactory
from tests.moderation.queue.helpers import _group, client_for, moderator  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

HEAD = {"labels": ["toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack"],
        "weight": [[0.0] * 4] * 6, "bias": [0.0] * 6, "calibration": {}}


@pytest.fixture
def admin(db):
    user = UserFactory(username="adm")
    user.groups.add(_group("admins", "can_moderate", "change_policy"))
    return user


def _site(**fields):
    return ModelVersion.objects.create(kind="site", base_version="b3da4d665a-2026-12-06", params=HEAD,
                                       report={"later_agreement": {
                                           "current": {"overall": 0.70, "n": 40, "per_label": {"toxicity": {"n": 40, "agreement": 0.70}}},
                                           "candidate": {"overall": 0.80, "n": 40, "per_label": {"toxicity": {"n": 40, "agreement": 0.80}}}},
                                           "decisions": {"train": 120, "later": 40}, "fit": {"chosen": "recalibrated"}},
                                       **fields)


def test_an_admin_activates_a_candidate_from_the_policy_page_and_rolls_back_to_the_shipped_model(admin):
    shipped = ModelVersion.objects.get(kind="shipped")
    candidate = _site()
    page = client_for(admin)

    html = page.get("/moderation/policy/").content.decode()
    assert f"Candidate: {candidate}" in html and f"Activate {candidate}" in html and "0.800" in html

    r = page.post(f"/moderation/policy/models/{candidate.pk}/activate/")
    assert r.status_code == 302
    assert ModelVersion.objects.get(is_active=True) == candidate
    assert f"Serving now: <strong>{candidate}</strong>" in page.get("/moderation/policy/").content.decode()

    page.post(f"/moderation/policy/models/{shipped.pk}/rollback/")
    assert ModelVersion.objects.get(is_active=True) == shipped
    assert list(LogEntry.objects.filter(user=admin).order_by("id").values_list("change_message", flat=True)) == [
        f"activated {candidate} (was {shipped})", f"rolled back to {shipped} (was {candidate})"]
    assert f"adm: rolled back to {shipped} (was {candidate})" in page.get("/moderation/policy/").content.decode()

    # Having served, it can be rolled back to, in one step, through the API too.
    r = client_for(admin).post(f"/api/moderation/models/{candidate.pk}/rollback/", "{}", content_type="application/json")
    assert r.status_code == 200 and r.json()["is_active"] is True


def test_a_version_that_never_served_cannot_be_rolled_back_to(admin):
    never = _site()
    r = client_for(admin).post(f"/api/moderation/models/{never.pk}/rollback/", "{}", content_type="application/json")
    assert r.status_code == 409 and "never served" in r.json()["detail"]
    assert ModelVersion.objects.get(is_active=True).kind == "shipped"


def test_unknown_fields_and_unknown_versions_are_refused_by_name(admin):
    api = client_for(admin)
    r = api.post(f"/api/moderation/models/{_site().pk}/activate/", json.dumps({"force": True}), content_type="application/json")
    assert r.status_code == 400 and "force" in r.json()
    assert api.get("/api/moderation/models/999999/").status_code == 404
    assert api.post("/api/moderation/models/999999/activate/", "{}", content_type="application/json").status_code == 404


def test_a_moderator_cannot_switch_models(moderator):  # noqa: F811
    candidate = _site()
    r = client_for(moderator).post(f"/api/moderation/models/{candidate.pk}/activate/", "{}", content_type="application/json")
    assert r.status_code == 403 and ModelVersion.objects.get(is_active=True).kind == "shipped"


def test_the_periodic_fit_is_off_until_an_admin_switches_it_on(admin):
    assert site_adaptation_periodic() is False
    assert adapt_to_site() is None  # off: nothing fitted

    client_for(admin).post("/moderation/policy/models/schedule/", {"periodic": "on"})
    assert site_adaptation_periodic() is True
    assert adapt_to_site() is None  # on, but no decisions yet: skipped, nothing stored
    assert ModelVersion.objects.filter(kind="site").count() == 0
    assert "periodic site model fit switched on" in LogEntry.objects.get(user=admin).change_message

    client_for(admin).post("/moderation/policy/models/schedule/", {})
    assert site_adaptation_periodic() is False


def test_the_agreement_page_names_the_version_that_scored_each_comment(moderator):  # noqa: F811
    from moderation.models import Analysis
    from moderation.queue.decisions import comment_decide
    from tests.moderation.queue.helpers import queued_comment

    c = queued_comment(text="We murdered them 5-0 on Saturday!", tox={"toxicity": 0.7})
    Analysis.objects.filter(comment=c).update(toxicity_model="parley-minilm",
                                                  toxicity_model_version="b3da4d665a-2026-12-06+site.7")
    comment_decide(comment_id=c.pk, moderator=moderator, action="approve")

    html = client_for(moderator).get("/moderation/agreement/").content.decode()
    assert "<th>Version</th>" in html and ">parley-minilm b3da4d665a-2026-12-06+site.7</td>" in html


def test_the_web_process_still_loads_no_torch():
    """The API, the policy page and the enqueueing path import the adaptation package; only the
    worker, fitting or scoring, may load torch (ml.adaptation is imported inside those functions)."""
    import subprocess
    import sys

    code = ("import os, sys, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.test'); django.setup(); "
            "import config.urls, moderation.adaptation.services, moderation.adaptation.tasks; print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
