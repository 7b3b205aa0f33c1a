"""Moderation's management commands (commands/)."""
