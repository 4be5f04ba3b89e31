from django.db import migrations


def add_issued(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    # The issue date beside the lexemes: a page in date order is sorted from the index rows alone.
    schema_editor.execute("ALTER TABLE search_pg ADD COLUMN IF NOT EXISTS issued date")
    # Rows indexed before carry no access tokens: forget them, the sync re-indexes every document.
    schema_editor.execute("DELETE FROM search_indexeddocument")
    schema_editor.execute("DELETE FROM search_watermark")


def drop_issued(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE search_pg DROP COLUMN IF EXISTS issued")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(add_issued, drop_issued)]
