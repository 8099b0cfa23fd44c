"""`manage.py`'s commands, one module per area; importing them registers them on `app`."""
