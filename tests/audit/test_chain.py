"""The audit trail is hash-chained: editing or deleting any event is detected."""

from __future__ import annotations

from vanthu.audit import log
from vanthu.audit.models import AuditEvent


def test_chains_verify_after_real_actions(cast):
    """Checklist point 11."""
    reports = log.verify_all()
    assert reports
    assert all(r.ok for r in reports)
    assert sum(r.events for r in reports) == AuditEvent.objects.count()


def test_editing_an_event_breaks_its_chain(cast):
    event = AuditEvent.objects.filter(chain=f"u{cast.staff.pk}").order_by("seq")[1]
    AuditEvent.objects.filter(pk=event.pk).update(data={"forged": True})
    report = log.verify_chain(event.chain)
    assert report.broken_at == event.seq


def test_deleting_an_event_breaks_its_chain(cast):
    events = list(AuditEvent.objects.filter(chain=f"u{cast.command.pk}").order_by("seq"))
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    assert not log.verify_chain(events[0].chain).ok


def test_verbs_are_namespaced(cast):
    import pytest

    with pytest.raises(ValueError, match="namespaced"):
        log.record(actor=None, verb="nonamespace")


def test_a_batch_appends_to_each_chain_in_order_between_single_events(cast):
    """`record_many` (the reads of a log, by batches) and `record` (an action's event) share the chains."""
    import datetime as dt

    from django.db import transaction

    staff, command = f"u{cast.staff.pk}", f"u{cast.command.pk}"
    before = {c: AuditEvent.objects.filter(chain=c).count() for c in (staff, command)}
    served = dt.datetime(2025, 12, 6, 5, 46, 40, 123000, tzinfo=dt.UTC)
    with transaction.atomic():
        made = log.record_many([
            log.Entry(actor=cast.lan, verb="documents.file.downloaded", target=("documents.document", "1"),
                      unit=cast.staff, data={"n": 1}, at=served),
            log.Entry(actor=cast.hoa, verb="documents.file.downloaded", target=("documents.document", "2"),
                      unit=cast.command.pk, data={"n": 2}),
            log.Entry(actor=cast.son, verb="documents.file.downloaded", unit=cast.staff, data={"n": 3}),
        ])
    log.record(actor=cast.lan, verb="documents.document.viewed", unit=cast.staff)
    assert [(e.chain, e.data["n"]) for e in made] == [(command, 2), (staff, 1), (staff, 3)]
    staff_events = list(AuditEvent.objects.filter(chain=staff).order_by("seq"))
    assert [e.seq for e in staff_events[-3:]] == [before[staff] + 1, before[staff] + 2, before[staff] + 3]
    assert staff_events[-3].at == served
    assert AuditEvent.objects.filter(chain=command).count() == before[command] + 1
    assert log.verify_chain(staff).ok
    assert log.verify_chain(command).ok
