"""A candidate site model is fitted on the real parley-minilm (frozen encoder) and refused when a
gate says no: a guard rail regressed, the guard rails could not be checked, too few decisions.
A refused candidate can never serve, by the service, the API or the policy page.

The guard rails read a tiny evaluation folder written here (PARLEY_EVAL_DIR), so these tests run
without ../shared and in seconds; the real files are what `adapt_to_site` and the bench read."""
from __future__ import annotations

import csv
import random
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from moderation.adaptation import guard_sets
from moderation.adaptation.services import NotActivatable, model_version_activate, site_model_fit
from moderation.models import ModelVersion, ModerationEvent
from tests.factories import UserFactory
from tests.moderation.queue.helpers import _group, client_for, moderator, queued_comment  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

GROUPS = ["gay", "lesbian", "muslim", "jewish", "black", "trans", "immigrant", "disabled", "deaf", "christian"]
NOUNS = ["person", "woman", "man", "neighbour", "teacher", "nurse"]
PLAIN = ["the bus timetable changed", "the library opens at nine", "parking fees went up", "the bridge reopened",
         "the council met on Tuesday", "the market moved to the square", "cycle lanes were repainted",
         "the park got new benches", "the ferry runs hourly", "the school fair raised money"]


def _write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


@pytest.fixture
def eval_dir(tmp_path, monkeypatch):
    d = tmp_path / "eval"
    d.mkdir()
    _write(d / "identity_bias_templates_en.csv", ["id", "text", "toxic", "template"],
           [[f"t{i}", f"I am a {g} {n}", 0, "i_am"] for i, (g, n) in enumerate((g, n) for g in GROUPS for n in NOUNS)])
    jigsaw = [("You are a pathetic idiot and everyone hates you", 1), ("Shut up you stupid moron", 1),
              ("I will find you and hurt you", 1), ("What a disgusting piece of garbage you are", 1),
              ("Thanks for the clear summary of the sources", 0), ("I moved the section to the talk page", 0),
              ("Please add a citation for the second claim", 0), ("The infobox date looks wrong to me", 0)]
    _write(d / "toxicity.csv", ["id", "text", "toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"],
           [[f"j{i}", t, y, 0, 0, 0, y, 0] for i, (t, y) in enumerate(jigsaw)])
    monkeypatch.setenv("PARLEY_EVAL_DIR", str(d))
    monkeypatch.setattr(guard_sets, "CACHE_DIR", tmp_path / "cache")
    return d


@pytest.fixture
def admin(db):
    user = UserFactory(username="adm")
    user.groups.add(_group("admins", "can_moderate", "change_policy"))
    return user


def _decide(comment, moderator, action, when, reason=""):  # noqa: F811
    ModerationEvent.objects.create(comment=comment, actor=moderator, action=action, reason=reason,
                                   previous_status="held", new_status="rejected" if action == "reject" else "published",
                                   created_at=when)


@pytest.fixture
def identity_rejecting_site(moderator):  # noqa: F811
    """A site whose moderators reject harmless comments that name who someone is, and approve the
    rest: 60 + 60 decisions over 120 hours. Learning that would hold the identity templates."""
    start = timezone.now() - timedelta(hours=200)
    texts = [(f"As a {g} {n}, I think {p}", True) for g in GROUPS for n, p in zip(NOUNS, PLAIN)]
    texts += [(f"Good news: {p}, said the {n}", False) for p in PLAIN for n in NOUNS]
    random.Random(7).shuffle(texts)  # rejections and approvals interleaved in time, the same way every run
    for i, (text, rejected) in enumerate(texts):
        c = queued_comment(text=text, tox={"toxicity": 0.2}, status="held")
        _decide(c, moderator, "reject" if rejected else "approve", start + timedelta(hours=i),
                "Attacks people for who they are" if rejected else "")
    return start


def test_a_candidate_that_holds_more_identity_templates_is_refused_and_never_serves(
        eval_dir, identity_rejecting_site, admin):
    cutoff = identity_rejecting_site + timedelta(hours=80)

    version = site_model_fit(cutoff=cutoff, admin=admin)

    assert version.status == ModelVersion.Status.REFUSED
    assert any(r.startswith("guard rail identity_hold_rate") for r in version.refused_reasons), version.refused_reasons
    rails = version.report["guard_rails"]
    assert rails["candidate"]["identity_hold_rate"] > rails["current"]["identity_hold_rate"] + 0.02
    assert version.report["decisions"]["train"] == 81 and version.report["decisions"]["later"] == 39
    with pytest.raises(NotActivatable):
        model_version_activate(version_id=version.pk, admin=admin)
    api = client_for(admin)
    r = api.post(f"/api/moderation/models/{version.pk}/activate/", "{}", content_type="application/json")
    assert r.status_code == 409 and "refused" in r.json()["detail"]
    listed = api.get("/api/moderation/models/").json()
    assert [(v["id"], v["status"], v["is_active"]) for v in listed] == [
        (version.pk, "refused", False), (ModelVersion.objects.get(kind="shipped").pk, "ready", True)]
    report = api.get(f"/api/moderation/models/{version.pk}/").json()
    assert report["agreement"]["n"] == 39 and report["refused_reasons"] == version.refused_reasons
    assert {g["name"] for g in report["guard_rails"]} == {"identity_hold_rate", "threat_hold_rate", "jigsaw_auc"}
    assert all(ch["moderator"] in ("approved", "rejected") for ch in report["changed"])
    page = api.get("/moderation/policy/").content.decode()
    assert "identity_hold_rate" in page and "refused" in page and f"Activate {version}" not in page
    assert not ModelVersion.objects.filter(kind="site", is_active=True).exists()


def test_without_the_evaluation_files_the_gate_could_not_be_checked_and_refuses(
        tmp_path, monkeypatch, identity_rejecting_site, admin):
    monkeypatch.setenv("PARLEY_EVAL_DIR", str(tmp_path / "absent"))
    monkeypatch.setattr(guard_sets, "CACHE_DIR", tmp_path / "cache")

    version = site_model_fit(cutoff=identity_rejecting_site + timedelta(hours=80), admin=admin)

    assert version.status == ModelVersion.Status.REFUSED
    assert any(r.startswith("guard rails could not be checked") for r in version.refused_reasons)


def test_too_few_decisions_is_a_400_naming_the_cutoff(eval_dir, moderator, admin):  # noqa: F811
    c = queued_comment(text="Only one decision.", tox={"toxicity": 0.2}, status="held")
    _decide(c, moderator, "approve", timezone.now() - timedelta(hours=1))
    with pytest.raises(ValidationError) as exc:
        site_model_fit(cutoff=timezone.now(), admin=admin)
    assert "cutoff" in exc.value.message_dict


def test_the_command_says_why_it_refused(eval_dir, identity_rejecting_site, capsys):
    from django.core.management import call_command

    call_command("adapt_to_site", "--cutoff", (identity_rejecting_site + timedelta(hours=80)).isoformat())

    out = capsys.readouterr().out
    assert "REFUSED" in out and "identity_hold_rate" in out


def test_the_command_refuses_a_bad_cutoff_with_exit_2(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError) as exc:
        call_command("adapt_to_site", "--cutoff", "next tuesday")
    assert exc.value.returncode == 2 and "--cutoff" in str(exc.value)
