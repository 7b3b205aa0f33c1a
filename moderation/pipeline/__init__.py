"""The scoring pipeline: tasks.py (enqueue with its breaker, classify, sweep; Celery task names
``moderation.tasks.*``) and scoring.py (claim, score with ml/ classifiers, decide, rank)."""
