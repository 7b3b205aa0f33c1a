"""Score a JSONL file of comments: `manage.py score --input IN.jsonl --output OUT.jsonl`."""
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ml.jsonl_scoring import InputLineError, read_score_requests, score_requests, write_jsonl


class Command(BaseCommand):
    help = 'Score lines {"text": ..., "claim": ..., "parent": ...} for every toxicity label and stance.'

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, type=Path)
        parser.add_argument("--output", required=True, type=Path)
        parser.add_argument("--batch-size", type=int, default=64)

    def handle(self, *args, input: Path, output: Path, batch_size: int, **options):
        if not input.is_file():
            raise CommandError(f"{input}: no such file", returncode=2)
        try:
            with input.open(encoding="utf-8") as f:
                requests = read_score_requests(f)
        except InputLineError as exc:
            raise CommandError(f"{input}:{exc.line_number}: {exc.args[0].split(': ', 1)[1]}", returncode=2) from None
        except UnicodeDecodeError as exc:
            raise CommandError(f"{input}: not UTF-8 text ({exc.reason} at byte {exc.start})", returncode=2) from None

        from ml.classifiers.registry import load_stance_classifier, load_toxicity_classifier  # noqa: PLC0415 - models load only when the command runs

        toxicity = load_toxicity_classifier(settings.PARLEY_TOXICITY_MODEL, checkpoint=settings.DETOXIFY_CHECKPOINT)
        stance = load_stance_classifier()
        tmp = output.with_name(output.name + ".partial")
        with tmp.open("w", encoding="utf-8") as out, tqdm(total=len(requests), unit="comment", disable=options["verbosity"] == 0) as bar:
            n = write_jsonl(score_requests(requests, toxicity=toxicity, stance=stance, batch_size=batch_size, progress=bar), out)
        tmp.replace(output)  # a crash never leaves a half-written output under the real name
        self.stdout.write(f"Scored {n} comments with {toxicity.name} and {stance.name} -> {output}")
