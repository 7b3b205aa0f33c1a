"""Template tags for the reader pages (parley.py)."""
