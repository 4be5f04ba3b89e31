"""Command and direction in Debian Chromium: Hùng's directive to 20 units, passed down three levels, some done on
time, some late, some overdue — its roll-up page with the chart; and Minh's "my work" at phone width.

Set VANTHU_SCREENSHOTS=<dir> to save docs/img/directive-rollup.png and docs/img/my-work-phone.png.
"""

from __future__ import annotations

import datetime as dt
import os
from contextlib import contextmanager
from unittest import mock

import pytest
from django.utils import timezone

from tests.browser.helpers import launch, shoot, signed_in
from vanthu.core.actors import TEST_FIXTURES
from vanthu.core.choices import Secrecy, Urgency
from vanthu.demo.characters import DEMO_PASSWORD, build_cast
from vanthu.org import actions as org
from vanthu.org.models import Rank, Role, UnitKind
from vanthu.workflow import directive_actions
from vanthu.workflow import task_actions as tasks
from vanthu.workflow.models import Assignment, Part
from vanthu.workflow.task_actions import Handover

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_UNITS = ["Lữ đoàn Pháo binh 6", "Lữ đoàn Công binh 25", "Trung đoàn Thông tin 7", "Bộ CHQS tỉnh B",
             "Bộ CHQS tỉnh C", "Bộ CHQS tỉnh D", "Bộ CHQS tỉnh Đ", "Bộ CHQS tỉnh E", "Trường Quân sự Quân khu",
             "Bệnh viện Quân y 120", "Cục Hậu cần", "Cục Kỹ thuật", "Kho K10", "Đoàn Kinh tế - Quốc phòng 959",
             "Trung đoàn Bộ binh 4"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
            "Dương"]


@contextmanager
def on(day: dt.date):
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


def person(username: str, name: str, unit, *, leader: bool):
    return org.create_person(username=username, password=DEMO_PASSWORD, full_name=name, unit=unit,
                             acting=TEST_FIXTURES, rank=Rank.THUONG_TA if leader else Rank.DAI_UY,
                             position="Chỉ huy trưởng" if leader else "Trợ lý", clearance=Secrecy.CONFIDENTIAL,
                             roles=(Role.LEADER,) if leader else (Role.OFFICER,))


def build_story(cast):
    """20 units under the Command, a third of them with a sub-unit; the directive 14 days ago, due 4 days ago."""
    units, heads, officers, subs = [cast.office, cast.staff, cast.politics, cast.division, cast.province], {}, {}, {}
    heads[cast.staff.pk], heads[cast.division.pk] = cast.son, cast.dung
    officers[cast.division.pk], officers[cast.staff.pk] = cast.minh, cast.quang
    for i, name in enumerate(NEW_UNITS):
        unit = org.create_unit(name=name, abbreviation=f"U{i}", parent=cast.command, acting=TEST_FIXTURES,
                               kind=UnitKind.LEVEL2)
        units.append(unit)
        heads[unit.pk] = person(f"chihuy{i}", f"{SURNAMES[i]} Văn Hải", unit, leader=True)
        officers[unit.pk] = person(f"troly{i}", f"{SURNAMES[-1 - i]} Minh Tuấn", unit, leader=False)
        if i % 3 == 0:
            sub = org.create_unit(name=f"Tiểu đoàn {i + 1}", abbreviation=f"S{i}", parent=unit, acting=TEST_FIXTURES)
            subs[unit.pk] = sub
            heads[sub.pk] = person(f"tieudoan{i}", f"{SURNAMES[i]} Đức Thắng", sub, leader=True)
            officers[sub.pk] = person(f"trolyd{i}", f"{SURNAMES[i]} Thị Mai", sub, leader=False)
    for unit in (cast.office, cast.politics, cast.province):
        heads[unit.pk] = person(f"ch{unit.abbreviation.lower()}", f"Lý Văn {unit.abbreviation}", unit, leader=True)
        officers[unit.pk] = person(f"tl{unit.abbreviation.lower()}", f"Mai Văn {unit.abbreviation}", unit, leader=False)
    assert len(units) == 20
    start = timezone.localdate() - dt.timedelta(days=14)
    with on(start):
        directive = directive_actions.issue(
            acting=cast.hung, unit=cast.command, units=units, deadline=start + dt.timedelta(days=10),
            title="Báo cáo kết quả kiểm tra sẵn sàng chiến đấu, công tác trực chỉ huy, trực ban",
            urgency=Urgency.URGENT, source_note="Kết luận hội nghị giao ban Bộ Tư lệnh")
        handlers = []
        for n, unit in enumerate(units):
            root = Assignment.objects.get(directive=directive, unit=unit)
            inner = start + dt.timedelta(days=8)
            if unit.pk in subs:
                [sub_task] = tasks.delegate(task=root, acting=heads[unit.pk],
                                            handovers=[Handover(subs[unit.pk], Part.LEAD, inner)])
                sub = subs[unit.pk]
                [task] = tasks.delegate(task=sub_task, acting=heads[sub.pk],
                                        handovers=[Handover(officers[sub.pk], Part.LEAD, inner)])
                handlers.append((n, task, officers[sub.pk], [heads[sub.pk], heads[unit.pk]]))
            else:
                [task] = tasks.delegate(task=root, acting=heads[unit.pk],
                                        handovers=[Handover(officers[unit.pk], Part.LEAD, inner)])
                handlers.append((n, task, officers[unit.pk], [heads[unit.pk]]))
    for n, task, handler, leaders in handlers:
        if n % 4 == 3:
            continue  # still open: overdue now
        day = start + dt.timedelta(days=2 + n % 5) if n % 4 != 2 else start + dt.timedelta(days=11)
        with on(day):
            tasks.report_progress(task=task, acting=handler, text="Đã kiểm tra các đơn vị trực thuộc.", percent=60)
            if n % 4 == 1:
                continue  # in progress, reported
            tasks.complete(task=task, acting=handler, result="Đã kiểm tra, báo cáo kết quả về Bộ Tư lệnh.")
            node = Assignment.objects.get(pk=task.parent_id)
            for leader in leaders:
                node.refresh_from_db()
                if node.state == "awaiting":
                    tasks.accept(task=node, acting=leader)
                if node.parent_id:
                    node = Assignment.objects.get(pk=node.parent_id)
    # Minh's own list: the division's task, a late one, one for information
    for title, days_ahead in (("Rà soát quân số trực sẵn sàng chiến đấu dịp Tết", 5),
                              ("Tổng hợp báo cáo công tác huấn luyện tháng", 1)):
        tasks.assign(acting=cast.dung, title=title, handovers=[Handover(cast.minh, deadline=timezone.localdate()
                                                                        + dt.timedelta(days=days_ahead))])
    return directive


def test_the_directive_rolls_up_and_minh_reads_his_work_on_a_phone(live_server):
    from playwright.sync_api import expect, sync_playwright

    cast = build_cast()
    directive = build_story(cast)
    base = live_server.url
    with sync_playwright() as p:
        browser = launch(p)
        errors: list[str] = []
        page = signed_in(browser, base, "hung", errors=errors)
        page.goto(f"{base}/directives/{directive.pk}/")
        expect(page.locator("svg.chart")).to_be_visible()
        expect(page.locator("table.grid tbody tr")).to_have_count(20)
        expect(page.locator("tr.bucket-overdue").first).to_be_visible()
        expect(page.locator("tr.bucket-done_late").first).to_be_visible()
        shoot(page, "directive-rollup.png", full_page=True)
        page.get_by_role("button", name="Đăng xuất").click()

        page = signed_in(browser, base, "minh", width=375, height=812, is_mobile=True)
        page.goto(f"{base}/work/")
        first = page.locator("li.task-card").first
        expect(first).to_contain_text("quá hạn")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, width  # no sideways scrolling on a phone
        shoot(page, "my-work-phone.png", full_page=True)
        browser.close()
    assert not errors, errors
