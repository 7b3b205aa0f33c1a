"""manage.py import_page (saved readers'-blog pages) and load_demo (the demo content)."""
