"""Checklist points 22 and 27: issue the same day as signing and present incoming the same day — at the latest
the next working day, urgent ones at once — shown as the legal limit per item in the clerk's queues, red once
passed, with reminders to the clerk through the reminder pass (working-day calendar)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from tests.conftest import checked
from vanthu.core.actors import SystemActor
from vanthu.core.choices import Urgency
from vanthu.documents import actions as documents
from vanthu.documents import limits
from vanthu.documents.models import Document
from vanthu.notify import actions as notify
from vanthu.notify.models import Notification
from vanthu.org.second_factor_testing import code_for

PASS = SystemActor("reminders")


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_checklist_point_27_limit_is_the_next_working_day_and_urgent_is_at_once(db):
    """Checklist point 27: present the same day, at the latest the next working day; urgent at once."""
    friday = dt.date(2027, 8, 27)
    assert limits.limit_from(at(friday), Urgency.NORMAL, step="present").day == dt.date(2027, 8, 30)  # Monday
    # Wednesday 1/9/2027: the next working day is Monday 6/9 (National Day 2/9 and the day after it are off)
    assert limits.limit_from(at(dt.date(2027, 9, 1)), Urgency.NORMAL, step="present").day == dt.date(2027, 9, 6)
    urgent = limits.limit_from(at(friday, 16), Urgency.URGENT, step="present")
    assert (urgent.day, urgent.at_once) == (friday, True)


def register(cast, doc_types, pdf, *, arrival, urgency=Urgency.NORMAL, subject="V/v kiểm tra sẵn sàng chiến đấu"):
    data = documents.IncomingData(doc_type=doc_types["Công văn"], organ_name="Bộ Tổng Tham mưu", subject=subject,
                                  urgency=urgency)
    return documents.register_incoming(unit=cast.staff, acting=cast.lan, data=data, file=checked(pdf),
                                       arrival_at=arrival)


def test_checklist_point_27_the_clerks_inbox_shows_the_legal_limit_and_overdue_in_red(client, cast, doc_types,
                                                                                     incoming_pdf):
    """Checklist point 27: the clerk's queue shows the legal limit of each incoming document, red once passed."""
    today = timezone.localdate()
    late = register(cast, doc_types, incoming_pdf, arrival=at(today - dt.timedelta(days=10)),
                    subject="V/v đã để quá hạn trình")
    fresh = register(cast, doc_types, incoming_pdf, arrival=timezone.now(), subject="V/v vừa đến hôm nay")
    client.force_login(cast.lan.user)
    html = client.get(reverse("inbox") + "?kind=present").content.decode()
    rows = {subject: html.split(subject)[0].rsplit("<tr", 1)[1] + html.split(subject)[1].split("</tr>")[0]
            for subject in (late.subject, fresh.subject)}
    assert "row-overdue" in rows[late.subject]
    assert "hạn luật định" in rows[late.subject]
    limit = limits.limit_of(late)
    assert limit is not None
    assert f"{limit.day:%d/%m/%Y}" in rows[late.subject]
    assert "row-overdue" not in rows[fresh.subject]


def test_checklist_point_22_a_signed_document_waiting_to_be_issued_shows_its_limit(client, cast, doc_types,
                                                                                  draft_pdf, settings):
    """Checklist point 22: issue the same day as signing, at the latest the next working day."""
    from vanthu.org.models import SigningAuthority
    from vanthu.signing.testing import SIGNING_SECRET, equip_cast

    settings.KEY_SCRYPT_LOG2N = 10
    equip_cast(cast, people=["son"], units=["staff"])
    data = documents.DraftData(doc_type=doc_types["KH"], subject="Kế hoạch ký nhưng chưa phát hành",
                               issued_amount=2, recipient_units=[cast.division])
    doc = documents.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff,
                                 data=data, file=checked(draft_pdf, "du-thao.pdf"))
    documents.submit_for_review(document=doc, acting=cast.quang,
                                signer_authority=SigningAuthority.objects.get(person=cast.son))
    documents.sign_outgoing(document=doc, acting=cast.son, secret=SIGNING_SECRET, otp=code_for(cast.son))
    signed_on = timezone.localdate() - dt.timedelta(days=7)
    Document.objects.filter(pk=doc.pk).update(signed_at=at(signed_on))
    doc.refresh_from_db()
    limit = limits.limit_of(doc)
    assert limit is not None
    assert (limit.step, limit.overdue()) == ("issue", True)
    client.force_login(cast.lan.user)
    html = client.get(reverse("inbox") + "?kind=issue").content.decode()
    row = html.split(doc.subject)[0].rsplit("<tr", 1)[1]
    assert "row-overdue" in row


def test_checklist_point_27_the_reminder_pass_reminds_the_clerk_and_tells_the_leader_when_late(
        cast, doc_types, incoming_pdf, settings, django_capture_on_commit_callbacks):
    """Checklist point 27: the periodic reminder pass reminds the clerk (working days), then the leaders."""
    settings.REMIND_BEFORE_DAYS = 0
    settings.REMIND_ESCALATE_AFTER_DAYS = 1
    friday = dt.date(2027, 8, 27)
    doc = register(cast, doc_types, incoming_pdf, arrival=timezone.now(), subject="V/v chờ trình chỉ huy")
    Document.objects.filter(pk=doc.pk).update(arrival_at=at(friday))  # it came on a Friday of the calendar test
    key = f"documents.same_day:present:{doc.pk}"

    def run(day: dt.date) -> list[tuple[str, str]]:
        before = set(Notification.objects.values_list("pk", flat=True))
        with django_capture_on_commit_callbacks(execute=True):
            notify.send_reminders(acting=PASS, today=day)
        return sorted((n.person.user.username, n.title) for n in Notification.objects.exclude(pk__in=before)
                      .filter(key__startswith=key).select_related("person__user"))

    assert run(friday) == []  # the limit is Monday
    due = run(dt.date(2027, 8, 30))
    assert [who for who, _title in due] == ["lan"]
    assert "Trình văn bản đến: V/v chờ trình chỉ huy" in due[0][1]
    late = run(dt.date(2027, 8, 31))  # one working day late: the clerk again, and the Staff's leader
    assert {who for who, _title in late} == {"lan", "son"}
