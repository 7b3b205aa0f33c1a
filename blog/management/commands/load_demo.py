"""`manage.py load_demo [--with-seeds]`: idempotent demo content (see blog/demo/)."""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from blog.demo import DEMO_LOGINS, DEMO_NAMED_PASSWORD, default_seeds_dir, demo_load


class Command(BaseCommand):
    help = "Create demo users, roles, articles and threaded comments; running it again changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--with-seeds",
            action="store_true",
            help="Also import the two seed documents (from --seeds-dir; exit status 2 saying so when it is absent).",
        )
        parser.add_argument(
            "--seeds-dir",
            type=Path,
            default=None,
            help=f"Where the seed documents are (default: PARLEY_SEEDS_DIR, else ../shared/seeds beside the checkout: "
            f"{default_seeds_dir()}).",
        )

        parser.add_argument(
            "--no-logins",
            action="store_true",
            help="Do not print the demo logins (`make run` prints them once, when everything has started).",
        )

    def handle(self, *args, with_seeds: bool, seeds_dir: Path | None, no_logins: bool = False, **options):
        result = demo_load(with_seeds=with_seeds, seeds_dir=seeds_dir)
        self.stdout.write(
            f"Demo content: {result.users_created} users, {result.articles_created} articles and "
            f"{result.comments_created} comments created ({result.comments_existing} comments already there)."
        )
        if result.comments_created:
            self.stdout.write("New comments are pending; a running worker classifies them.")
        if not no_logins:
            self.stdout.write("Demo logins (passwords are set when a user is first created):")
            for login in DEMO_LOGINS:
                self.stdout.write(f"  {login.username} / {login.password}  ({login.role})")
            self.stdout.write(f"  every named author and commenter / {DEMO_NAMED_PASSWORD}")
        for message in result.seed_messages:
            self.stdout.write(message)
        for error in result.seed_errors:
            self.stderr.write(error)
        if result.seed_errors:
            raise CommandError("Seed documents not imported; see the errors above.", returncode=2)
