"""Fit a candidate site model on the moderators' decisions up to a cut-off and gate it.

    python manage.py adapt_to_site [--cutoff 2026-12-01T00:00]

Stores a new model version (moderation.adaptation.services.site_model_fit): "ready" when it passed
every gate, "refused" with the reasons. Nothing serves until an admin activates it on the policy page
(or POST /api/moderation/models/<id>/activate/).
"""
from __future__ import annotations

from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date, parse_datetime

from moderation.adaptation.services import site_model_fit


def _cutoff(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None and (day := parse_date(value)) is not None:
        parsed = datetime(day.year, day.month, day.day)
    if parsed is None:
        raise CommandError(f"--cutoff: {value!r} is not a date or date-time (e.g. 2026-12-01 or 2026-12-01T12:00)",
                           returncode=2)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = "Fit a candidate site model on moderators' decisions up to a cut-off, and gate it."

    def add_arguments(self, parser):
        parser.add_argument("--cutoff", help="decisions up to this date-time (UTC unless given) train it; later ones "
                                             "judge it. Default: the first 80 %% of the decisions.")

    def handle(self, *args, cutoff=None, **options):
        try:
            version = site_model_fit(cutoff=_cutoff(cutoff))
        except ValidationError as exc:
            raise CommandError("; ".join(f"--{k}: {' '.join(v)}" for k, v in exc.message_dict.items()), returncode=2) from None
        report = version.report
        judged = report["later_agreement"]
        self.stdout.write(f"{version} (id {version.pk}): fitted on {report['decisions']['train']} decisions up to "
                          f"{report['cutoff']}, kept {report['fit']['chosen']}")
        if judged["candidate"]:
            self.stdout.write(f"agreement on {report['decisions']['later']} later decisions: "
                              f"{judged['candidate']['overall']:.3f} (current model {judged['current']['overall']:.3f})")
        for name, value in report["guard_rails"]["candidate"].items():
            self.stdout.write(f"{name}: {value:.3f} (current {report['guard_rails']['current'].get(name, float('nan')):.3f})")
        for m in report["moderators"]:
            if m["excluded"]:
                self.stdout.write(f"left out: moderator {m['username']} ({m['decisions']} decisions, disagrees with the "
                                  f"others on {m['disagreement']:.0%} of alike comments)")
        if version.status == version.Status.REFUSED:
            self.stdout.write("REFUSED: " + "; ".join(version.refused_reasons))
        else:
            self.stdout.write("passed every gate: an admin may activate it on the policy page")
