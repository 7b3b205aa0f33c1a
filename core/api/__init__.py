"""The REST API's shared kit: errors.py (every client error a 400 naming the field, 413 for a body
too large), parsers.py (JSON bodies only), fields.py (strict fields, unknown fields refused)."""
