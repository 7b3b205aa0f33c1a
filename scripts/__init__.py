"""Developer scripts run with ``python -m scripts.<name>``: devserver.py (``make run`` and the
services ``make test`` needs) and screenshots.py (``make screenshots``)."""
