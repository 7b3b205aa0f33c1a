"""Train the stance classifier (thin wrapper around ml.training.stance)."""
from pathlib import Path

from django.core.management.base import BaseCommand

from ml.training import stance as stance_training

REPO_ROOT = Path(__file__).resolve().parents[3]


class Command(BaseCommand):
    help = "Train the MiniLM stance cross-encoder and write weights + docs/STANCE_TRAINING.md."

    def add_arguments(self, parser):
        parser.add_argument("--data", default=str(REPO_ROOT.parent / "shared" / "data"),
                            help="folder holding stance/ (default: ../shared/data relative to the repo root)")
        parser.add_argument("--epochs", type=int, default=stance_training.Config.epochs)
        parser.add_argument("--seed", type=int, default=stance_training.Config.seed)
        parser.add_argument("--out", default=str(stance_training.DEFAULT_OUT))
        parser.add_argument("--recipe", choices=("xenc", "lr"), default="xenc")
        parser.add_argument("--max-minutes", type=float, default=0.0)

    def handle(self, *args, **opts):
        argv = ["--data", opts["data"], "--epochs", str(opts["epochs"]), "--seed", str(opts["seed"]),
                "--out", opts["out"], "--recipe", opts["recipe"], "--max-minutes", str(opts["max_minutes"])]
        result = stance_training.main(argv)
        best = result["best"]
        self.stdout.write(self.style.SUCCESS(
            f"stance model written to {opts['out']} (dev select score {best['select']:.4f})"))
