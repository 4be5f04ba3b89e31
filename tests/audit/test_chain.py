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
