"""The scoring pipeline: tasks.py (enqueue with its breaker, classify, sweep; Celery task names
``moderation.pipeline.*``; the old ``moderation.tasks.*`` names run too, for one release) and scoring.py (claim, score with ml/ classifiers, decide, rank)."""
