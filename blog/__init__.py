"""The reader side: articles, threaded comments, likes and reports (models, services, selectors,
views, urls, api/), importing saved blog pages (importing.py) and the demo content (demo/).
It calls moderation only through moderation.facade and never imports a model."""
