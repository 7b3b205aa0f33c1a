"""Read-only views across many comments: discussions.py (which articles need a moderator now)
and viewpoint_audit.py (hold/reject rates by stance within toxicity bins)."""
