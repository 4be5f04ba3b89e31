"""The new-directive page: the leader chooses the issuing unit among those he leads, and optionally a source
document he may see; anything else is refused with nothing issued."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from vanthu.core.actors import TEST_FIXTURES
from vanthu.org import actions as org
from vanthu.org.models import Role
from vanthu.workflow.models import Assignment, Directive, SourceKind


def in_a_week() -> str:
    return (timezone.localdate() + dt.timedelta(days=7)).isoformat()


@pytest.fixture
def son_leads_two(cast):
    """Sơn leads the Staff and, for this test, the Division too."""
    org.grant_role(person=cast.son, unit=cast.division, role=Role.LEADER, acting=TEST_FIXTURES)
    return cast.son


def directive(cast, **overrides):
    values = {"issuer": str(cast.division.pk), "title": "Kiểm tra sẵn sàng chiến đấu", "units": [cast.regiment.pk],
              "deadline": in_a_week()}
    values.update(overrides)
    return values


def test_the_leader_chooses_the_issuing_unit_and_a_source_document(client, cast, son_leads_two, staff_document):
    client.force_login(cast.son.user)
    page = client.get(f"/directives/new/?source={staff_document.pk}").content.decode()
    assert f'<option value="{cast.staff.pk}"' in page
    assert f'<option value="{cast.division.pk}"' in page
    assert f'<option value="{staff_document.pk}" selected' in page
    done = client.post(f"/directives/new/?source={staff_document.pk}",
                       directive(cast, source_document=str(staff_document.pk)), follow=True)
    assert "Đã ban hành chỉ đạo." in done.content.decode()
    made = Directive.objects.get()
    assert (made.unit, made.source_document, made.source_kind) == (cast.division, staff_document, SourceKind.DOCUMENT)
    assert Assignment.objects.get(directive=made).unit == cast.regiment


def test_without_a_choice_the_first_unit_he_leads_issues(client, cast):
    client.force_login(cast.hung.user)
    client.post("/directives/new/", directive(cast, issuer="", units=[cast.division.pk]))
    assert Directive.objects.get().unit == cast.command


def test_a_unit_he_does_not_lead_a_target_outside_it_or_an_unseen_source_are_refused(
    client, cast, son_leads_two, registered
):
    client.force_login(cast.son.user)
    page = client.post("/directives/new/", directive(cast, issuer=str(cast.command.pk)))
    assert "Bạn không chỉ huy đơn vị này." in page.content.decode()
    page = client.post("/directives/new/", directive(cast, units=[cast.operations.pk]))
    assert "không thuộc đơn vị ban hành chỉ đạo; không thể giao." in page.content.decode()
    page = client.post("/directives/new/", directive(cast, source_document=str(registered.pk)))
    assert "Không tìm thấy văn bản nguồn." in page.content.decode()
    page = client.post(f"/directives/new/?source={registered.pk}", directive(cast, source_document=str(registered.pk)))
    assert "Không tìm thấy văn bản nguồn." in page.content.decode()
    assert not Directive.objects.exists()
