"""`manage.py import_page FILE [FILE...]`: import saved readers'-blog pages (see blog/importing.py).

Each file is imported in its own transaction. A malformed file is reported as "FILE:LINE: message"
on stderr and nothing from it is stored; the other files are still imported, and the command
exits with status 2 at the end. A page already imported is reported and skipped (exit status 0),
so re-running an import over the same files is harmless. A plain article (no metadata line, no
comments, like the essay seed 000_*.txt) is imported with no comments, titled --title or from its
first line.
"""
from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.management.base import BaseCommand, CommandError

from blog.importing import ImportFormatError, PageAlreadyImported, import_page


class Command(BaseCommand):
    help = "Import saved readers'-blog pages (article, author bio, comments) as pending comments."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--author",
            dest="author_username",
            help="Username for the article's author, an existing account or a new one (default: the imported "
            "account named after the blog, e.g. imported:readers-blog).",
        )
        parser.add_argument(
            "--title",
            help="Title of a plain article (a file with no metadata line); default: from its first line.",
        )
        parser.add_argument(
            "--timezone",
            dest="time_zone",
            help="Time zone the page's dates are in (default: settings.TIME_ZONE).",
        )

    def handle(self, *args, files: list[str], author_username: str | None, time_zone: str | None,
               title: str | None = None, **options):
        if time_zone:
            try:
                ZoneInfo(time_zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise CommandError(f"Unknown time zone '{time_zone}'.", returncode=2) from None
        failed = 0
        for name in files:
            path = Path(name)
            try:
                article = import_page(path, author_username=author_username, time_zone=time_zone, title=title)
            except ImportFormatError as exc:
                failed += 1
                self.stderr.write(f"{name}:{exc.line_number}: {exc.message}")
                continue
            except PageAlreadyImported as exc:
                self.stdout.write(f"{name}: skipped, {exc}")
                continue
            except UnicodeDecodeError as exc:
                failed += 1
                line = exc.object[: exc.start].count(b"\n") + 1
                self.stderr.write(f"{name}:{line}: not UTF-8 text ({exc.reason})")
                continue
            except OSError as exc:
                failed += 1
                self.stderr.write(f"{name}:0: cannot read the file ({exc.strerror or exc})")
                continue
            count = article.comments.count()
            self.stdout.write(
                f"{name}: imported '{article.title}' ({article.slug}) with {count} comment{'s' if count != 1 else ''}"
            )
        if failed:
            raise CommandError(f"{failed} of {len(files)} file(s) not imported; see the errors above.", returncode=2)
