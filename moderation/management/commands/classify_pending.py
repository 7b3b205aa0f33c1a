"""Score the backlog of unscored pending comments in this process (e.g. after import_page)."""
from django.core.management.base import BaseCommand
from tqdm import tqdm

from moderation.pipeline import scoring


class Command(BaseCommand):
    help = "Score and decide every pending comment that has no analysis yet, in batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=32)

    def handle(self, *args, batch_size: int, **options):
        ids = scoring.unscored_comment_ids(older_than_seconds=0, limit=10**9)
        if not ids:
            self.stdout.write("No pending comments to score.")
            return
        models = scoring.load_models()
        done = set()
        with tqdm(total=len(ids), unit="comment", disable=options["verbosity"] == 0) as bar:
            for pk in ids:
                if pk in done:
                    continue
                scored = scoring.comments_classify(comment_id=pk, batch_size=batch_size, models=models)
                done.update(scored)
                bar.update(len(scored))
        self.stdout.write(f"Scored {len(done)} comments with {models.toxicity.name} and {models.stance.name}.")
