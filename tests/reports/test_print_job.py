"""A register of more than REPORTS_ASYNC_ROWS rows is printed by a job: the page shows its progress (htmx
polling), then the download; only the person who asked sees either; small registers stay immediate."""

from __future__ import annotations

import pytest

from tests.reports.conftest import pdf_text
from tests.reports.test_print_view import print_url, whole_year
from vanthu.audit.models import AuditEvent
from vanthu.reports import jobs
from vanthu.reports.models import PrintState, RegisterPrint


@pytest.fixture
def small_threshold(settings):
    settings.REPORTS_ASYNC_ROWS = 3  # the Staff's register of last year has 5 rows


def test_a_large_register_is_printed_by_a_job_with_progress_then_the_download(
        client, cast, staff_incoming, small_threshold, django_capture_on_commit_callbacks, tmp_path):
    client.force_login(cast.lan.user)
    with django_capture_on_commit_callbacks() as queued:
        asked = client.get(print_url(**whole_year(cast.staff, staff_incoming.year)))
    job = RegisterPrint.objects.get()
    assert asked.status_code == 302
    assert asked["Location"] == f"/registers/prints/{job.pk}/"
    assert (job.state, job.total, job.person_id) == (PrintState.WAITING, 5, cast.lan.pk)

    page = client.get(asked["Location"]).content.decode()
    assert "<progress" in page
    assert f'hx-get="/registers/prints/{job.pk}/"' in page
    assert "0/5 dòng" in page
    assert client.get(f"/registers/prints/{job.pk}/file").status_code == 404  # not printed yet

    for run in queued:  # the worker prints it
        run()
    progress = client.get(asked["Location"], headers={"HX-Request": "true"}).content.decode()
    assert progress.lstrip().startswith('<div id="print-progress"')
    assert "hx-get" not in progress  # finished: no more polling
    assert "Đã in xong." in progress
    download = client.get(f"/registers/prints/{job.pk}/file")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment;" in download["Content-Disposition"]
    assert "Sổ này gồm 5 văn bản, từ số 01 đến số 05." in pdf_text(download.content, tmp_path)
    printed = AuditEvent.objects.get(verb="reports.register.printed")
    assert (printed.actor_id, printed.data["via"], printed.data["rows"]) == (cast.lan.pk, "job", 5)
    assert jobs.build_register_print.call(str(job.pk)) == "done already"  # run twice: printed once
    assert AuditEvent.objects.filter(verb="reports.register.printed").count() == 1


def test_only_the_person_who_asked_sees_the_print(client, cast, staff_incoming, small_threshold):
    client.force_login(cast.lan.user)
    client.get(print_url(**whole_year(cast.staff, staff_incoming.year)))
    job = RegisterPrint.objects.get()
    for other in (cast.son, cast.tam):
        client.force_login(other.user)
        assert client.get(f"/registers/prints/{job.pk}/").status_code == 404
        assert client.get(f"/registers/prints/{job.pk}/file").status_code == 404


def test_a_small_register_is_still_printed_at_once(client, cast, staff_incoming):
    client.force_login(cast.lan.user)
    answer = client.get(print_url(**whole_year(cast.staff, staff_incoming.year)))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert not RegisterPrint.objects.exists()


def test_progress_is_written_as_rows_are_rendered(cast, staff_incoming, small_threshold, monkeypatch):
    import datetime as dt

    from vanthu.documents.numbering import GENERAL
    from vanthu.reports import actions, registers

    year = staff_incoming.year
    printout = registers.access_register(cast.lan, unit_id=cast.staff.pk, kind=registers.KINDS["incoming"],
                                         series=GENERAL, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
    job = actions.request_register_print(printout=printout, fmt="pdf", acting=cast.lan)
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 2)
    rows = jobs._counted(registers.rows(printout), print_id=str(job.pk))
    next(rows), next(rows), next(rows)  # the count is written once the second row has been used
    job.refresh_from_db()
    assert job.done_rows == 2
    assert job.percent == 40
