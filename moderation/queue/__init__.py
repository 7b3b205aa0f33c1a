"""The moderators' review queue (/moderation/, /api/moderation/queue/...): ranking.py (the rank
formula), selectors.py (tabs, filters, cards, audit log), services.py (ranking writes, decisions,
authors' standing), filters.py (the filter fields shared by page and API), views.py, urls.py, api/."""
