"""Parley's models, apart from Django: text in, scores out.

- ``classifiers/``: the one interface (``score(batch) -> list[Scores]``) and its backends.
- ``training/``: the commands that reproduce the shipped weights in ``weights/``.
- ``evaluation/``: held-out measurements on ``../shared/data/eval`` (never trained or tuned on).
- ``jsonl_scoring``: the offline JSONL scoring tool behind ``manage.py score``.

Nothing here imports Django or Parley's apps (checked by the import contracts in pyproject.toml).
"""
