"""The jobs page in Debian Chromium: the IT administrator sees two weekly file checks that failed, retries
one, and the page shows it waiting again with the other still failed.

Set VANTHU_SCREENSHOTS=<dir> to save docs/img/jobs-admin-retried.png; a normal run writes nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid

import pytest
import time_machine
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.browser.helpers import launch, shoot, signed_in
from tests.jobs.conftest import database_engine, run_worker  # noqa: F401 (fixture)
from vanthu.core import files
from vanthu.core.jobs import verify_stored_files
from vanthu.demo.characters import build_cast
from vanthu.jobs.models import WorkerBeat
from vanthu.org.second_factor_testing import code_for

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("database_engine")]


def two_failed_weekly_checks() -> None:
    """A stored file damaged on disk: the weekly check fails two weeks running (real runs of the real job)."""
    for _ in range(3):
        files.store_bytes(f"%PDF-1.4 {uuid.uuid4()}".encode(), content_type="application/pdf")
    damaged = files.store_bytes(f"%PDF-1.4 {uuid.uuid4()}".encode(), content_type="application/pdf")
    path = files.path_for(damaged.sha256)
    path.chmod(0o644)
    path.write_bytes(b"%PDF-1.4 sua ngoai he thong")
    for days_ago in (8, 1):
        with time_machine.travel(timezone.now() - dt.timedelta(days=days_ago, hours=3), tick=False):
            verify_stored_files.enqueue()
            run_worker()


def test_the_administrator_retries_a_failed_job(live_server):
    from playwright.sync_api import expect, sync_playwright

    cast = build_cast()
    two_failed_weekly_checks()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == 2
    now = timezone.now()
    WorkerBeat.objects.create(worker_id="may-chu-1", host="vanthu-app-1", pid=4242, engine="database",
                              started_at=now, seen_at=now + dt.timedelta(hours=1))
    base = live_server.url

    with sync_playwright() as p:
        browser = launch(p)
        errors: list[str] = []
        page = signed_in(browser, base, "quantri", errors=errors)
        page.get_by_role("link", name="Việc nền").click()
        page.wait_for_url(re.compile(r".*/tai-khoan/xac-thuc/ma/.*"))  # an administration page: the step-up first
        page.get_by_label("Mã xác thực").fill(code_for(cast.admin))
        page.get_by_role("button", name="Xác nhận").click()
        page.wait_for_url(f"{base}/quan-tri/viec-nen/")
        failed = page.locator("section[aria-labelledby=h-failed] tbody tr")
        expect(failed).to_have_count(2)
        expect(failed.first).to_contain_text("1 of 4 stored files are missing or changed")

        failed.first.get_by_role("button", name="Chạy lại").click()
        page.wait_for_url(f"{base}/quan-tri/viec-nen/")
        expect(page.get_by_text("Đã đưa việc trở lại hàng đợi")).to_be_visible()
        expect(failed).to_have_count(1)
        waiting = page.locator("section[aria-labelledby=h-waiting] tbody tr")
        expect(waiting).to_have_count(1)
        expect(waiting.first).to_contain_text("verify_stored_files")
        shoot(page, "jobs-admin-retried.png")
        assert not [e for e in errors if not re.search(r"favicon", e)]
        browser.close()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1
