"""Issue 13 item 3: the security officer (Role.SECURITY, "Cán bộ bảo mật", granted by an administrator over a
unit and its subtree) sees the unit's read audit as a filterable page and CSV; leaders keep it; administrators
and everyone else get 404. And the reads that were not recorded before are now: the weekly report, a register
printed from a page (with where from); tests/api/test_read_audit_api.py: a task's file and a received
envelope (page and API)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from vanthu.audit import reads
from vanthu.audit.models import AuditEvent
from vanthu.org import actions as org_actions
from vanthu.org.models import Role


@pytest.fixture
def officer(cast):
    """Hòa is made the Staff's security officer by the administrator."""
    org_actions.grant_role(person=cast.hoa, unit=cast.staff, role=Role.SECURITY, acting=cast.admin)
    return cast.hoa


def _view(client, person, doc, ip: str) -> None:
    client.force_login(person.user)
    assert client.get(reverse("document_detail", args=[doc.pk]), REMOTE_ADDR=ip).status_code == 200


def test_the_security_officer_filters_reads_by_person_document_verb_dates_and_address(
        client, cast, staff_incoming, officer):
    first, second = staff_incoming.docs[0], staff_incoming.docs[1]
    _view(client, cast.lan, first, "10.1.2.3")
    _view(client, cast.son, second, "10.7.7.7")
    client.force_login(officer.user)
    page = client.get(reverse("reads_page"))
    assert page.status_code == 200
    html = page.content.decode()
    assert cast.lan.full_name in html
    assert cast.son.full_name in html

    by_name = client.get(reverse("reads_page") + "?person=" + cast.lan.full_name.split()[-1]).content.decode()
    assert "10.1.2.3" in by_name
    assert "10.7.7.7" not in by_name
    by_doc = client.get(reverse("reads_page") + f"?document={second.pk}").content.decode()
    assert "10.7.7.7" in by_doc
    assert "10.1.2.3" not in by_doc
    by_ip = client.get(reverse("reads_page") + "?ip=10.7.").content.decode()
    assert "10.7.7.7" in by_ip
    assert "10.1.2.3" not in by_ip
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert "10.1.2.3" not in client.get(reverse("reads_page") + f"?from={tomorrow}").content.decode()
    by_verb = client.get(reverse("reads_page") + f"?verb={reads.SEARCHED}").content.decode()
    assert "10.1.2.3" not in by_verb

    csv = client.get(reverse("reads_page") + f"?ip=10.1.&document={first.pk}&format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    body = csv.content.decode("utf-8-sig")
    assert "10.1.2.3" in body
    assert "10.7.7.7" not in body
    assert AuditEvent.objects.filter(verb=reads.EXPORTED, actor_id=officer.pk, data__export="reads").exists()


def test_the_officers_grant_reaches_the_subtree_and_no_further(client, cast, staff_incoming, officer):
    client.force_login(officer.user)
    assert client.get(reverse("reads_page") + f"?unit={cast.operations.pk}").status_code == 200
    assert client.get(reverse("reads_page") + f"?unit={cast.division.pk}").status_code == 404


def test_an_administrator_without_the_role_does_not_see_who_read_what(client, cast, staff_incoming):
    client.force_login(cast.admin.user)
    assert client.get(reverse("reads_page")).status_code == 404


def test_only_an_administrator_grants_the_role(cast):
    from vanthu.core.errors import ActionRefused

    with pytest.raises(ActionRefused):
        org_actions.grant_role(person=cast.hoa, unit=cast.staff, role=Role.SECURITY, acting=cast.lan)
    assert Role.SECURITY.label == "Cán bộ bảo mật"


def test_the_weekly_report_and_a_register_printed_from_a_page_are_recorded_with_where_from(
        client, cast, staff_incoming):
    client.force_login(cast.son.user)
    assert client.get(reverse("weekly_report", args=[cast.staff.pk]) + "?format=xlsx",
                      REMOTE_ADDR="10.3.3.3").status_code == 200
    weekly = AuditEvent.objects.get(verb=reads.REPORT_PRINTED, actor_id=cast.son.pk)
    assert (weekly.data["report"], weekly.data["ip"], weekly.unit_id) == ("weekly", "10.3.3.3", cast.staff.pk)
    year = staff_incoming.year
    client.force_login(cast.lan.user)
    printed = client.get(reverse("register_print", args=["incoming"])
                         + f"?unit={cast.staff.pk}&from={year}-01-01&to={year}-12-31&format=xlsx",
                         REMOTE_ADDR="10.4.4.4")
    assert printed.status_code == 200
    event = AuditEvent.objects.get(verb=reads.REGISTER_PRINTED, actor_id=cast.lan.pk)
    assert (event.data["ip"], event.data["via"]) == ("10.4.4.4", "web")
