"""Moderation: scoring comments, the review queue, the threshold policy and insights.

Top level: models, permissions, rules (each moderation rule once: decide, pre-moderation,
"waiting in the queue", human decisions) and facade (all that blog may call). Sub-packages:
pipeline/ (Celery hand-off and the worker's scoring), queue/ (moderators' review queue),
policy/ (admins' thresholds, preview, re-apply), insights/ (discussions ranking, viewpoint audit).
"""
