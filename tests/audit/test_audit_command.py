from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from vanthu.audit.models import AuditEvent


def test_verify_reports_intact_chains(cast, capsys):
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out


def test_verify_fails_on_a_forged_event(cast):
    event = AuditEvent.objects.order_by("id").first()
    AuditEvent.objects.filter(pk=event.pk).update(verb="org.person.deleted")
    with pytest.raises(CommandError):
        call_command("audit", "verify")
