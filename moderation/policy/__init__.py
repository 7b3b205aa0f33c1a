"""The admins' threshold policy (/moderation/policy/...): selectors.py (versions, the preview of
a draft, the re-apply dry run), services.py (save, restore, re-apply, per-article pre-moderation),
forms.py, charts.py (the preview's SVG charts), views.py (also the discussions and audit pages),
urls.py, api/."""
