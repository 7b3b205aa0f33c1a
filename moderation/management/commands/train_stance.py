"""Train the stance classifier (thin wrapper around ml.training.stance)."""
from django.core.management.base import BaseCommand

from ml.training import stance


class Command(BaseCommand):
    help = ("Reproduce the shipped stance model (ml/weights/stance) and docs/STANCE_TRAINING.md: the debate "
            "cross-encoder from the base model, then the reader-comments recipe on top (hours on CPU).")

    def add_arguments(self, parser):
        parser.add_argument("--data", default=str(stance.DEFAULT_DATA),
                            help="folder holding stance/ (default: ../shared/data relative to the repo root)")
        parser.add_argument("--recipe", choices=("comments", "xenc", "lr"), default="comments")
        parser.add_argument("--init", default="", help="comments: continue from the weights in this folder")
        parser.add_argument("--seed", type=int, default=stance.Config.seed)
        parser.add_argument("--out", default=str(stance.DEFAULT_OUT))
        parser.add_argument("--threads", type=int, default=stance.Config.threads)
        parser.add_argument("--max-minutes", type=float, default=0.0)
        parser.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (the shipped stage 2: 931)")

    def handle(self, *args, **opts):
        argv = ["--data", opts["data"], "--recipe", opts["recipe"], "--seed", str(opts["seed"]), "--out", opts["out"],
                "--threads", str(opts["threads"]), "--max-minutes", str(opts["max_minutes"]),
                "--max-steps", str(opts["max_steps"])]
        if opts["init"]:
            argv += ["--init", opts["init"]]
        best = stance.main(argv)["best"]
        self.stdout.write(self.style.SUCCESS(f"stance model written to {opts['out']} (dev select {best['select']:.4f})"))
