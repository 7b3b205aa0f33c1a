"""The blog's management commands (commands/)."""
