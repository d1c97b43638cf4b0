"""What the assistant records for the staff console (assistant/web/api/console.py).

``models`` maps the tables, ``migrations`` owns the schema (Alembic), ``store`` writes
and purges, ``stats`` and ``review`` read for the console.
"""
