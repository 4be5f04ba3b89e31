"""Jobs of the documents app. Each takes ids, re-reads, calls actions, and is idempotent."""

from __future__ import annotations

from django_tasks import task

from vanthu.documents import outbox


@task()
def deliver(message_id: int) -> None:
    """Hand one outbox message to its transport (see `documents.outbox`)."""
    outbox.deliver_message(message_id)
