"""Run Parley's models on every evaluation set: `manage.py evaluate_models [--data DIR]`.

Evaluation files only (../shared/data/eval/ and *_test.csv): nothing here trains or tunes.
"""
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ml.evaluation import stance as evaluation_stance, toxicity as evaluation_toxicity

DEFAULT_DATA = settings.BASE_DIR.parent / "shared" / "data"


class Command(BaseCommand):
    help = "Toxicity ROC AUC (Jigsaw, OLID, HatEval, CMV removals) and stance macro F1 (SemEval, PERSPECTRUM, IBM, IAM)."

    def add_arguments(self, parser):
        parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder (default ../shared/data)")
        parser.add_argument("--toxicity-model", action="append", dest="toxicity_models",
                            help="repeatable; default: the configured model (PARLEY_TOXICITY_MODEL)")
        parser.add_argument("--skip-stance", action="store_true")
        parser.add_argument("--skip-toxicity", action="store_true")
        parser.add_argument("--output", type=Path, help="also write the Markdown tables to this file")

    def handle(self, *args, data: Path, toxicity_models, skip_stance, skip_toxicity, output, **options):
        if not (data / "eval").is_dir():
            raise CommandError(f"{data}: no eval/ folder here; pass --data pointing at the shared data folder", returncode=2)
        from ml.classifiers.registry import load_stance_classifier, load_toxicity_classifier

        sections = []
        if not skip_toxicity:
            for spec in toxicity_models or [settings.PARLEY_TOXICITY_MODEL]:
                try:
                    classifier = load_toxicity_classifier(spec, checkpoint=settings.DETOXIFY_CHECKPOINT)
                except ValueError as exc:
                    raise CommandError(str(exc), returncode=2) from None
                self.stderr.write(f"Evaluating {classifier.name} ({classifier.version}) ...")
                rows = evaluation_toxicity.evaluate_toxicity(classifier, data / "eval")
                sections.append(f"### Toxicity: {classifier.name} ({classifier.version})\n\n"
                                + evaluation_toxicity.format_table(rows))
        if not skip_stance:
            stance = load_stance_classifier()
            self.stderr.write(f"Evaluating {stance.name} ({stance.version}) ...")
            rows = evaluation_stance.evaluate_stance(stance, data)
            sections.append(f"### Stance: {stance.name} ({stance.version})\n\n" + evaluation_stance.to_markdown(rows))
        report = "\n\n".join(sections) + "\n"
        self.stdout.write(report)
        if output:
            output.write_text(report)
