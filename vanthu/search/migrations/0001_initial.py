from django.db import migrations, models
import django.db.models.deletion


def create_engine_tables(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5(lex, "
            "tokenize = \"unicode61 remove_diacritics 0 tokenchars '_'\", prefix = '2 3')"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            # no foreign key: a row of a deleted document is dropped by the join and by the next reindex,
            # and Django's flush (tests) truncates the documents without knowing this table
            "CREATE TABLE search_pg (document_id bigint PRIMARY KEY, lex tsvector NOT NULL)"
        )
        schema_editor.execute("CREATE INDEX search_pg_lex ON search_pg USING gin (lex)")
        # most lexemes are rare pairs: without a long list of common elements the planner guesses their
        # frequency badly (and walks the date index for a lexeme no document has)
        schema_editor.execute("ALTER TABLE search_pg ALTER COLUMN lex SET STATISTICS 10000")
    # The watermark walks documents by updated_at; results on a page are sorted by date.
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS search_doc_updated ON documents_document (updated_at, id)"
    )
    nulls = " NULLS LAST" if vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS search_doc_issued ON documents_document (issued_date DESC{nulls}, id DESC)"
    )


def drop_engine_tables(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    schema_editor.execute("DROP TABLE IF EXISTS search_fts" if vendor == "sqlite" else "DROP TABLE IF EXISTS search_pg")
    schema_editor.execute("DROP INDEX IF EXISTS search_doc_updated")
    schema_editor.execute("DROP INDEX IF EXISTS search_doc_issued")


class Migration(migrations.Migration):
    initial = True

    dependencies = [("documents", "0004_electronic_copies")]

    operations = [
        migrations.CreateModel(
            name="ExtractedText",
            fields=[
                ("document", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name="+", serialize=False, to="documents.document")),
                ("file_sha256", models.CharField(blank=True, max_length=64)),
                ("method", models.CharField(choices=[("pdf", "lớp chữ của PDF"), ("ocr", "nhận dạng chữ (OCR)"), ("none", "không có chữ"), ("gen", "dữ liệu sinh")], max_length=4)),
                ("text", models.TextField(blank=True)),
                ("extracted_at", models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.CreateModel(
            name="IndexedDocument",
            fields=[
                ("document", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name="+", serialize=False, to="documents.document")),
                ("source_updated_at", models.DateTimeField()),
                ("text_sha256", models.CharField(blank=True, max_length=64)),
            ],
        ),
        migrations.CreateModel(
            name="Watermark",
            fields=[
                ("name", models.CharField(max_length=30, primary_key=True, serialize=False)),
                ("updated_at", models.DateTimeField(null=True)),
            ],
        ),
        migrations.CreateModel(
            name="Term",
            fields=[("term", models.CharField(max_length=40, primary_key=True, serialize=False))],
        ),
        migrations.RunPython(create_engine_tables, drop_engine_tables),
    ]
