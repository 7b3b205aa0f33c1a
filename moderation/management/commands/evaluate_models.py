"""Run Parley's models on every evaluation set: `manage.py evaluate_models [--data DIR]`.

Evaluation files only (../shared/data/eval/ and *_test.csv): nothing here trains or tunes. Prints,
for every toxicity model asked for (default: the configured one and the BiLSTM, side by side), each
evaluation row, the reliability curve behind the calibration error, the stance rows, and the
targets table (ml/evaluation/targets.py) with each model's standing. ``--record`` also writes the figures the
policy page shows (ml/evaluation/recorded.json).
"""
import json
from collections.abc import Callable, Mapping
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ml.evaluation import stance as evaluation_stance
from ml.evaluation import targets
from ml.evaluation import toxicity as evaluation_toxicity
from ml.evaluation.recorded import RECORDED_FILE, recorded_quality
from moderation import rules

DEFAULT_DATA = settings.BASE_DIR.parent / "shared" / "data"


# --- how the active policy treats text nobody here wrote (the rule the worker uses: rules.decide) ---
SEED_003 = "003_*.txt"


def _unapplied_migrations() -> int:
    from django.db import DEFAULT_DB_ALIAS, connections  # noqa: PLC0415 - models and data load only when the command runs
    from django.db.migrations.executor import MigrationExecutor  # noqa: PLC0415 - models and data load only when the command runs

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def held_under_active_policy() -> Callable[[Mapping[str, float]], bool]:
    """scores -> would the active policy hold or reject them?"""
    thresholds = rules.policy_active().thresholds
    return lambda scores: rules.decide(scores, thresholds).status != rules.PUBLISH


def _held_by(label: str, scores: Mapping[str, float], thresholds) -> bool:
    cut = thresholds.get(label)
    return cut is not None and label in scores and scores[label] >= cut["hold"]


def held_by_under_active_policy() -> Callable[[str, Mapping[str, float]], bool]:
    """(label, scores) -> is that label alone over its hold cut-off in the active policy?"""
    thresholds = rules.policy_active().thresholds
    return lambda label, scores: _held_by(label, scores, thresholds)


def demo_and_seed_rows(classifier, *, seeds_dir: Path) -> list[dict]:
    """Rows in the evaluation's format: the demo threats' lowest ``threat`` score and the share held
    by ``threat``; the share of the demo's group attacks held by ``identity_attack``; how many of seed
    003's comments the active policy holds or rejects."""
    from blog.demo import DEMO_COMMENT_KINDS  # noqa: PLC0415 - models and data load only when the command runs
    from blog.importing import parse_page  # noqa: PLC0415 - models and data load only when the command runs

    thresholds = rules.policy_active().thresholds
    threats = [text for text, kind in DEMO_COMMENT_KINDS.items() if kind == "threat"]
    scores = classifier.score(threats)
    rows = [
        {"dataset": "demo", "label": "threat", "metric": "min", "value": min(s.get("threat", 0.0) for s in scores),
         "n": len(threats)},
        {"dataset": "demo", "label": "threat", "metric": "held_by_threat",
         "value": sum(_held_by("threat", s, thresholds) for s in scores) / len(scores), "n": len(threats)},
    ]
    attacks = [text for text, kind in DEMO_COMMENT_KINDS.items() if kind == "identity_attack"]
    attack_scores = classifier.score(attacks)
    rows.append({"dataset": "demo", "label": "identity_attack", "metric": "held_by_identity_attack",
                 "value": sum(_held_by("identity_attack", s, thresholds) for s in attack_scores) / len(attacks),
                 "n": len(attacks)})
    seed = next(iter(sorted(seeds_dir.glob(SEED_003))), None)
    if seed is not None:
        comments = parse_page(seed.read_text(encoding="utf-8")).comments
        verdicts = [rules.decide(s, thresholds) for s in classifier.score([c.text for c in comments])]
        rows.append({"dataset": "seed_003", "label": "held", "metric": "count",
                     "value": float(sum(v.status != rules.PUBLISH for v in verdicts)), "n": len(comments)})
    return rows



class Command(BaseCommand):
    help = ("Toxicity (Jigsaw, OLID, HatEval, CMV removals, SOCC, identity templates, obfuscation probe, the demo's "
            "threats, seed 003) and stance (SemEval, ARC reader comments, PERSPECTRUM, IBM, IAM; and claims the stance model "
            "never trained on, with the precision and coverage of the labels it shows), with the targets.")

    def add_arguments(self, parser):
        parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder (default ../shared/data)")
        parser.add_argument("--toxicity-model", action="append", dest="toxicity_models",
                            help="repeatable; default: the configured model (PARLEY_TOXICITY_MODEL) and jigsaw-bilstm")
        parser.add_argument("--datasets", nargs="*", choices=sorted(evaluation_toxicity.EVALUATIONS), default=None,
                            help="toxicity evaluations to run (default: all)")
        parser.add_argument("--skip-stance", action="store_true")
        parser.add_argument("--stance-datasets", nargs="*", default=None,
                            help="stance test sets to run (default: all; e.g. semeval2016_test arc_nyt_comments_test); "
                                 "the unseen-topic dev always runs")
        parser.add_argument("--skip-toxicity", action="store_true")
        parser.add_argument("--output", type=Path, help="also write the Markdown report to this file")
        parser.add_argument("--record", action="store_true",
                            help="store the headline figures for the policy page (ml/evaluation/recorded.json)")

    def handle(self, *args, data: Path, toxicity_models, datasets, skip_stance, skip_toxicity, output, record,
               stance_datasets=None, **options):
        if not (data / "eval").is_dir():
            raise CommandError(f"{data}: no eval/ folder here; pass --data pointing at the shared data folder", returncode=2)
        from ml.classifiers.registry import BILSTM_SPEC, load_stance_classifier, load_toxicity_classifier  # noqa: PLC0415 - models and data load only when the command runs

        if not skip_toxicity and (pending := _unapplied_migrations()):
            # The held shares are read against the active policy, which lives in the database.
            raise CommandError(f"the database is not migrated ({pending} migrations not applied): run "
                               "`python manage.py migrate` first, or pass --skip-toxicity", returncode=2)

        sections, by_model = [], {}
        if not skip_toxicity:
            specs = toxicity_models or list(dict.fromkeys([settings.PARLEY_TOXICITY_MODEL, BILSTM_SPEC]))
            is_held = held_under_active_policy()
            for spec in specs:
                try:
                    classifier = load_toxicity_classifier(spec, checkpoint=settings.DETOXIFY_CHECKPOINT)
                except ValueError as exc:
                    raise CommandError(str(exc), returncode=2) from None
                self.stderr.write(f"Evaluating {classifier.name} ({classifier.version}) ...")
                rows = evaluation_toxicity.evaluate_toxicity(classifier, data / "eval", datasets=datasets,
                                                             is_held=is_held, held_by=held_by_under_active_policy())
                rows += demo_and_seed_rows(classifier, seeds_dir=data.parent / "seeds")
                by_model[classifier.name] = rows
                sections.append(f"### Toxicity: {classifier.name} ({classifier.version})\n\n"
                                + evaluation_toxicity.format_table(rows)
                                + "\n\nReliability of `toxicity` on the Jigsaw test rows:\n\n"
                                + targets.reliability_table(rows, "jigsaw_test", "toxicity"))
        stance_rows, stance_name = [], "stance"
        if not skip_stance:
            stance = load_stance_classifier()
            stance_name = stance.name
            self.stderr.write(f"Evaluating {stance.name} ({stance.version}) ...")
            stance_rows = evaluation_stance.evaluate_stance(stance, data, stance_datasets or None)
            unseen_rows = evaluation_stance.evaluate_unseen(stance, data)
            sections.append(f"### Stance: {stance.name} ({stance.version})\n\n" + evaluation_stance.to_markdown(stance_rows)
                            + "\n\nUnseen-topic dev: dev-side claims of the training files "
                            "(ml/evaluation/stance_split.py) that this model never trained on; labels shown at top "
                            f"probability >= {getattr(stance, 'min_confidence', 0.0):.2f}, else \"unclear\".\n\n"
                            + evaluation_stance.to_markdown(unseen_rows))
            stance_rows = stance_rows + unseen_rows
        if by_model:
            sections.append("### Targets (toxicity), models side by side\n\n"
                            + targets.targets_table(targets.TOXICITY_TARGETS, by_model))
        if stance_rows:
            sections.append("### Targets (stance)\n\n"
                            + targets.targets_table(targets.STANCE_TARGETS, {stance_name: stance_rows}))
        report = "\n\n".join(sections) + "\n"
        self.stdout.write(report)
        if output:
            output.write_text(report)
        if record:
            # Merged into what was recorded before, so a toxicity-only run keeps the stance figures.
            recorded = {**recorded_quality(), **targets.headline(by_model, stance_rows, stance_name=stance_name)}
            RECORDED_FILE.write_text(json.dumps(recorded, indent=2, sort_keys=True) + "\n")
            self.stderr.write(f"Recorded the headline figures in {RECORDED_FILE}")
