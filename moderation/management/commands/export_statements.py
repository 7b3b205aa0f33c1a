"""`manage.py export_statements --since YYYY-MM-DD --output FILE [--until YYYY-MM-DD]`: the
statements of reasons of a period as JSON lines in the DSA Transparency Database's shape, each
checked against moderation/accountability/schema/tdb_statement.schema.json. docs/DSA.md says how
an operator submits the file."""
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from moderation.accountability.tdb import parse_day, statements_export


class Command(BaseCommand):
    help = "Write statements of reasons since a date as Transparency Database JSON lines."

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, help="first day included, YYYY-MM-DD (UTC)")
        parser.add_argument("--until", help="first day excluded, YYYY-MM-DD (UTC); default: everything since")
        parser.add_argument("--output", required=True, type=Path)

    def handle(self, *args, since: str, until: str | None, output: Path, **options):
        try:
            first = parse_day(since, field="--since")
            last = parse_day(until, field="--until") if until is not None else None
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()), returncode=2) from None
        if last is not None and last <= first:
            raise CommandError("--until: must be after --since.", returncode=2)
        if not output.parent.is_dir():
            raise CommandError(f"--output: {output.parent} is not a directory", returncode=2)
        tmp = output.with_name(output.name + ".partial")
        n = 0
        try:
            with tmp.open("w", encoding="utf-8") as out:
                for record in statements_export(since=first, until=last):
                    out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
                    n += 1
        except ValidationError as exc:  # a record the schema refuses: a bug, never a silent file
            tmp.unlink(missing_ok=True)
            raise CommandError(f"A statement does not fit the schema: {exc.messages}", returncode=1) from None
        tmp.replace(output)  # a crash never leaves a half-written file under the real name
        self.stdout.write(f"Wrote {n} statements of reasons since {first} -> {output}")
