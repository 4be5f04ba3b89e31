"""Messages whose delivery job was lost (a receiver that died between writing a status 01 it meant to carry in
its batch's answer and the answer, decision 0046; a jobs server restarted without its queue): the hourly job
`deliver_stranded` gives each waiting message unchanged for `STRANDED_AFTER` a delivery job again, so nothing waits
for ever — but not a message waiting to be carried by hand (a bundle), nor a document waiting for its long-term
signature, nor one delivered or failed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from vanthu.documents import actions, delivering
from vanthu.documents import jobs as document_jobs
from vanthu.documents.models import Document, LongTermSignature, LongTermState, MessageKind, OutboxMessage
from vanthu.jobs import registry
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET


@pytest.fixture
def lost(cast, signed, django_capture_on_commit_callbacks) -> list[OutboxMessage]:
    """The signed plan issued to the division and the province, its delivery jobs never run (lost)."""
    with django_capture_on_commit_callbacks(execute=False):
        actions.issue_outgoing(document=signed, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    return list(OutboxMessage.objects.filter(document=signed, kind=MessageKind.DOCUMENT).order_by("pk"))


def age(messages: list[OutboxMessage], by: dt.timedelta) -> None:
    OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(updated_at=timezone.now() - by)


def test_a_waiting_message_is_stranded_only_once_unchanged_for_the_delay(lost):
    assert delivering.stranded() == []  # just written: its job may still run
    age(lost, delivering.STRANDED_AFTER - dt.timedelta(minutes=1))
    assert delivering.stranded() == []  # its job may still be retrying
    age(lost, delivering.STRANDED_AFTER + dt.timedelta(minutes=1))
    assert delivering.stranded() == [m.pk for m in lost]


def test_the_hourly_job_delivers_what_was_stranded(cast, signed, lost):
    assert (document_jobs.deliver_stranded, "hour") in registry.periodic_jobs()
    age(lost, delivering.STRANDED_AFTER + dt.timedelta(minutes=1))
    assert document_jobs.deliver_stranded.call() == 2  # the immediate backend runs the deliveries at once
    assert {m.state for m in OutboxMessage.objects.filter(pk__in=[m.pk for m in lost])} == {"delivered"}
    assert set(Document.objects.filter(source=signed).values_list("unit_id", flat=True)) == {
        cast.division.pk, cast.province.pk}
    assert delivering.stranded() == []  # done: nothing more to rescue


def test_delivered_failed_carried_by_hand_and_held_messages_are_not_stranded(lost, signed):
    first, second = lost
    age(lost, delivering.STRANDED_AFTER + dt.timedelta(hours=1))
    OutboxMessage.objects.filter(pk=first.pk).update(state=OutboxMessage.State.DELIVERED)
    OutboxMessage.objects.filter(pk=second.pk).update(transport="bundle")  # waits for a bundle's export
    assert delivering.stranded() == []
    OutboxMessage.objects.filter(pk=first.pk).update(state=OutboxMessage.State.FAILED)
    assert delivering.stranded() == []
    OutboxMessage.objects.filter(pk__in=[first.pk, second.pk]).update(state=OutboxMessage.State.WAITING,
                                                                     transport="local")
    age(lost, delivering.STRANDED_AFTER + dt.timedelta(hours=1))
    record = LongTermSignature.objects.create(document=signed, target="B-LT", level="B-T",
                                              sealed_file=signed.current_file)
    assert delivering.stranded() == []  # the enrichment job schedules its deliveries when it is done
    record.state = LongTermState.DONE
    record.save(update_fields=["state"])
    age(lost, delivering.STRANDED_AFTER + dt.timedelta(hours=1))
    assert delivering.stranded() == [first.pk, second.pk]
