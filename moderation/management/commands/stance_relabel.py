"""Re-derive the stance every stored analysis shows from its stored probabilities, at the shipped
stance model's calibrated confidence (after new weights or a new calibration): `manage.py stance_relabel`."""
from django.core.management.base import BaseCommand

from moderation.pipeline import scoring


class Command(BaseCommand):
    help = ("Show 'unclear' instead of a stance the loaded stance model is not confident of, on analyses it "
            "stored before its calibration (labels only; no comment's status changes).")

    def handle(self, *args, **options):
        from ml.classifiers.registry import load_stance_classifier  # noqa: PLC0415 - models load only when the command runs

        stance = load_stance_classifier()
        min_confidence = float(getattr(stance, "min_confidence", 0.0))
        changed = scoring.stance_labels_reapply(model_name=stance.name, model_version=stance.version,
                                                min_confidence=min_confidence)
        self.stdout.write(f"{changed} analyses by {stance.name} {stance.version} relabelled at confidence "
                          f"{min_confidence:.2f}.")
