"""manage.py classify_pending (score a backlog in-process), score (the offline JSONL tool),
evaluate_models and train_stance (thin wrappers over ml/)."""
