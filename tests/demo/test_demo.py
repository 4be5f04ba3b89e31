"""`vanthu demo`: a whole fictional Military Region, built once through the real actions, and only once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from vanthu.audit import log
from vanthu.core.choices import Secrecy, Urgency
from vanthu.demo.characters import DEMO_PASSWORD
from vanthu.documents.models import Document, Register, Status
from vanthu.org.models import AuthorityPrefix, Person, SigningAuthority, Unit
from vanthu.workflow.models import OPEN_STATES, Assignment

STATES = {
    # incoming
    Status.RECEIVED, Status.REGISTERED, Status.PRESENTED, Status.DIRECTED, Status.IN_PROGRESS, Status.DONE,
    Status.RETURNED, Status.CANCELLED,
    # outgoing
    Status.DRAFT, Status.IN_REVIEW, Status.AWAITING_SIGNATURE, Status.SIGNED, Status.ISSUED, Status.RECALLED,
    Status.REPLACED,
}


@pytest.mark.django_db
def test_demo_builds_a_realistic_military_region_once():
    out = StringIO()
    call_command("demo", stdout=out)
    assert "Đã tạo dữ liệu minh họa" in out.getvalue()

    assert Unit.objects.count() >= 30
    assert Person.objects.count() >= 100
    assert Document.objects.count() >= 1000
    assert set(Document.objects.values_list("status", flat=True)) >= STATES
    assert Document.objects.filter(urgency__gte=Urgency.FLASH).exists()
    assert Document.objects.filter(secrecy__gte=Secrecy.CONFIDENTIAL).exists()
    today = timezone.localdate()
    assert Assignment.objects.filter(state__in=OPEN_STATES, deadline__lt=today).exists(), "some work is overdue"
    assert Document.objects.filter(status=Status.ISSUED, deliveries__isnull=False).exists()

    # the fixed characters are there, with their usernames and the demo password
    User = get_user_model()
    for username in ("hoa", "hung", "lan", "minh", "son", "quang", "dung", "binh", "tam", "quantri", "bao"):
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
    assert Person.objects.get(user__username="bao").roles.filter(role="security").exists()  # the read audit's keeper
    # every registry keeps a clerk, and the four signing prefixes appear, TUQ. time-limited
    prefixes = set(SigningAuthority.objects.values_list("prefix", flat=True))
    assert {AuthorityPrefix.TM, AuthorityPrefix.KT, AuthorityPrefix.TL, AuthorityPrefix.TUQ} <= prefixes
    assert not SigningAuthority.objects.filter(prefix=AuthorityPrefix.TUQ, valid_until__isnull=True).exists()

    # every audit chain verifies, and every register is numbered 1 … last_number without a gap
    broken = [report.chain for report in log.verify_all() if not report.ok]
    assert broken == []
    for register in Register.objects.all():
        numbers = sorted(register.documents.values_list("number", flat=True))
        assert numbers == list(range(1, register.last_number + 1)), register.name

    # work records: a catalogue copied forward, open and closed records, an accepted archive transfer (issue 10)
    from vanthu.records.models import Catalogue, Record, RecordState

    assert Catalogue.objects.filter(copied_from__isnull=False, year=today.year).exists()
    assert Record.objects.filter(state=RecordState.OPEN, items__isnull=False).exists()
    assert Record.objects.filter(state=RecordState.CLOSED, doc_total__gt=0).exists()
    assert Record.objects.filter(state=RecordState.TRANSFERRED).exists()

    with pytest.raises(CommandError, match="đã được tạo"):
        call_command("demo", stdout=StringIO())
    assert Unit.objects.filter(code="000.00.00.Q10").count() == 1
