from django.db import migrations

from vanthu.documents.doctypes import TYPES, ensure


def add_types(apps, schema_editor):
    ensure(apps.get_model("documents", "DocumentType"))


def remove_types(apps, schema_editor):
    apps.get_model("documents", "DocumentType").objects.filter(name__in=[n for n, _ in TYPES]).delete()


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]
    operations = [migrations.RunPython(add_types, remove_types)]
