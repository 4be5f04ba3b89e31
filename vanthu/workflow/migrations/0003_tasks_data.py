"""Today's assignments become tasks (decision 0015): for-information rows read "để biết" (state info, seen when
they were marked done), forwarded rows get their depth; everything else already is a task."""

from django.db import migrations
from django.db.models import F


def forwards(apps, schema_editor):
    Assignment = apps.get_model("workflow", "Assignment")
    Assignment.objects.filter(role="info", state="done").update(state="info", seen_at=F("done_at"))
    Assignment.objects.filter(role="info", state__in=["open", "in_progress"]).update(state="info")
    depth = 0
    while True:
        level = Assignment.objects.filter(parent__depth=depth, parent__isnull=False).exclude(depth=depth + 1)
        if not level.update(depth=depth + 1):
            break
        depth += 1


def backwards(apps, schema_editor):
    Assignment = apps.get_model("workflow", "Assignment")
    Assignment.objects.filter(state="info", seen_at__isnull=False).update(state="done")
    Assignment.objects.filter(state="info").update(state="open")
    Assignment.objects.filter(state="awaiting").update(state="in_progress")
    Assignment.objects.filter(state="returned").update(state="cancelled")


class Migration(migrations.Migration):
    dependencies = [("workflow", "0002_tasks_directives")]
    operations = [migrations.RunPython(forwards, backwards)]
