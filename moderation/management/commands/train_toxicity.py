"""Train Parley's toxicity model (thin wrapper around ml.training.toxicity and its policy tuning)."""
from django.core.management.base import BaseCommand

from ml.training import policy_tuning, toxicity


class Command(BaseCommand):
    help = ("Reproduce the shipped parley-minilm weights (ml/weights/toxicity), docs/TOXICITY_TRAINING.md and "
            "the tuned default thresholds (ml/weights/toxicity/policy.json). About 90 minutes on 2 CPU cores.")

    def add_arguments(self, parser):
        parser.add_argument("--data", default=str(toxicity.DEFAULT_DATA), help="the shared data folder")
        parser.add_argument("--seed", type=int, default=toxicity.Config.seed)
        parser.add_argument("--epochs", type=float, default=toxicity.Config.epochs)
        parser.add_argument("--threads", type=int, default=toxicity.Config.threads)
        parser.add_argument("--max-minutes", type=float, default=0.0)
        parser.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (the first run: 2347)")
        parser.add_argument("--fine-tune", default="", metavar="WEIGHTS_DIR",
                            help="start from trained weights (the shipped ones: ml/weights/toxicity); see "
                                 "docs/TOXICITY_TRAINING.md for the command that made them")
        parser.add_argument("--schedule-steps", type=int, default=0)
        parser.add_argument("--warmup-steps", type=int, default=0)
        parser.add_argument("--lr", type=float, default=toxicity.Config.lr)
        parser.add_argument("--head-lr", type=float, default=toxicity.Config.head_lr)
        parser.add_argument("--evals", type=int, default=toxicity.Config.evals_per_epoch)
        parser.add_argument("--out", default=str(toxicity.DEFAULT_OUT))
        parser.add_argument("--round3", action="store_true", help="add the round-three rows (threat set train half, identity registers, group statements)")

    def handle(self, *args, **opts):
        result = toxicity.main(["--data", opts["data"], "--seed", str(opts["seed"]), "--epochs", str(opts["epochs"]),
                                "--threads", str(opts["threads"]), "--max-minutes", str(opts["max_minutes"]),
                                "--max-steps", str(opts["max_steps"]), "--fine-tune", opts["fine_tune"],
                                "--schedule-steps", str(opts["schedule_steps"]), "--warmup-steps",
                                str(opts["warmup_steps"]), "--lr", str(opts["lr"]), "--head-lr", str(opts["head_lr"]),
                                "--evals", str(opts["evals"]), "--out", opts["out"],
                                *(["--round3"] if opts["round3"] else [])])
        policy_tuning.main(data=opts["data"], weights=opts["out"])
        self.stdout.write(self.style.SUCCESS(
            f"parley-minilm written to {result['cfg'].out} (dev select {result['best']['select']:.4f})"))
