"""Delivered copies belong to the receiving unit (issue 16): the sending clerk is no longer recorded as their
creator nor as the one who added their files. Each existing delivery gets the sender's outbox row and the
receiver's arrival row it would have had, so statuses about it (registered, returned, cancelled) travel like
those of new deliveries."""

import uuid

from django.db import migrations

BATCH = 1000


def forwards(apps, schema_editor):
    Document = apps.get_model("documents", "Document")
    DocumentFile = apps.get_model("documents", "DocumentFile")
    Recipient = apps.get_model("documents", "Recipient")
    OutboxMessage = apps.get_model("documents", "OutboxMessage")
    Arrival = apps.get_model("documents", "Arrival")

    copies = Document.objects.filter(direction="in", source__isnull=False)
    DocumentFile.objects.filter(document__in=copies).update(added_by=None)
    copies.update(created_by=None)

    recipients = (Recipient.objects.filter(delivered__isnull=False, unit__isnull=False)
                  .select_related("document", "delivered").order_by("pk"))
    messages, arrivals = [], []
    for recipient in recipients.iterator(chunk_size=BATCH):
        if OutboxMessage.objects.filter(recipient=recipient, kind="document").exists():
            continue
        key = uuid.uuid4()
        messages.append(OutboxMessage(
            key=key, kind="document", unit_id=recipient.document.unit_id, document_id=recipient.document_id,
            recipient=recipient, transport="local", address=str(recipient.unit_id), state="delivered",
            delivered_at=recipient.sent_at, attempts=1,
        ))
        arrivals.append(Arrival(
            key=key, transport="local", unit_id=recipient.delivered.unit_id,
            reply_to=str(recipient.document.unit_id), document_id=recipient.delivered_id,
            cancelled_at=recipient.delivered.updated_at if recipient.delivered.status == "cancelled" else None,
        ))
        if len(messages) >= BATCH:
            OutboxMessage.objects.bulk_create(messages)
            Arrival.objects.bulk_create(arrivals)
            messages, arrivals = [], []
    OutboxMessage.objects.bulk_create(messages)
    Arrival.objects.bulk_create(arrivals)


class Migration(migrations.Migration):
    dependencies = [("documents", "0006_outbox_and_separate_records")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
