"""Issuance seals in the clerk's request without asking a TSA or an OCSP responder; a job brings the document's
files to the deployment's level (here B-LTA, with vanthu's own TSA and OCSP/CRL responders over HTTP on
127.0.0.1), keeps the sealed file, and only then lets the deliveries go, so the recipients receive the long-term
file. A TSA that is down leaves the issuance instant and done; the job retries, and after its last attempt the
document page says why and the deliveries go with the file as sealed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.outbox_helpers import signed_plan
from tests.signing.pdf_checks import assert_pdfsig_valid
from vanthu.audit.models import AuditEvent
from vanthu.documents import actions
from vanthu.documents import jobs as document_jobs
from vanthu.documents.actions import long_term
from vanthu.documents.models import Document, LongTermSignature, LongTermState, MessageKind, OutboxMessage, Status
from vanthu.jobs.registry import policy_for
from vanthu.org.second_factor_testing import code_for
from vanthu.signing import service as signing
from vanthu.signing.testing import SIGNING_SECRET, tsa_client

DOWN = "http://127.0.0.1:9/pki/tsa"  # the discard port: nothing answers


@pytest.fixture
def lta(transactional_db, live_server, settings, cast):
    """vanthu's CA, TSA, OCSP responder and CRLs served over HTTP on 127.0.0.1 (the certificates' URLs point at
    the live server), and the deployment's level B-LTA with that TSA."""
    settings.KEY_SCRYPT_LOG2N = 10
    settings.PUBLIC_URL = live_server.url
    settings.TSA_URL = live_server.url + "/pki/tsa"
    settings.TSA_TOKEN = tsa_client()  # /pki/tsa answers registered clients only
    settings.PADES_LEVEL = "B-LTA"
    settings.TASKS = {"default": {"BACKEND": "vanthu.jobs.backends.DatabaseBackend", "QUEUES": ["default"]}}
    cast.live_url = live_server.url
    return cast


def run_worker() -> None:
    """`vanthu worker --batch` in this process: every job due now."""
    from vanthu.jobs import worker

    worker.run(worker_id="test-worker", batch=True, periodic=False)


def _jobs(name: str) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=f"vanthu.documents.jobs.{name}").order_by("enqueued_at"))


def _page(client, cast, document: Document) -> str:
    client.force_login(cast.lan.user)
    return client.get(f"/documents/{document.pk}/").content.decode()


def test_issuance_seals_at_b_b_and_the_job_adds_b_lta_before_delivery(lta, doc_types, draft_pdf, client):
    """Checklist point 21."""
    cast = lta
    plan = signed_plan(cast, doc_types, draft_pdf)
    assert signing.level_of(plan.current_file.read_bytes()) == "B-B"  # the approval too: no TSA in a request
    run_worker()
    actions.issue_outgoing(document=plan, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    plan.refresh_from_db()
    sealed = plan.current_file
    assert plan.status == Status.ISSUED
    assert signing.level_of(sealed.read_bytes()) == "B-B"
    record = plan.long_term
    assert (record.state, record.level, record.target, record.sealed_file) == ("pending", "B-B", "B-LTA", sealed)
    assert "Chữ ký dài hạn:" in _page(client, cast, plan)
    assert "đang bổ sung" in _page(client, cast, plan)

    messages = OutboxMessage.objects.filter(document=plan, kind=MessageKind.DOCUMENT)
    assert len(_jobs("enrich_issued")) == 1
    for message in messages:  # a delivery job that runs first waits for the long-term signature
        assert document_jobs.deliver.call(message.pk) is None
    assert set(messages.values_list("state", flat=True)) == {"waiting"}

    run_worker()  # the enrichment, then the deliveries it lets go
    run_worker()
    assert [j.status for j in _jobs("enrich_issued")] == ["SUCCESSFUL"]
    plan.refresh_from_db()
    record.refresh_from_db()
    assert (record.state, record.level) == (LongTermState.DONE, "B-LTA")
    assert record.reached_at is not None
    assert record.renew_by is not None
    enriched = plan.current_file.read_bytes()
    assert plan.current_file != sealed
    assert enriched.startswith(sealed.read_bytes())  # the sealed file stays stored and is the enriched one's start
    assert plan.files.get(kind="main").file == plan.current_file
    assert_pdfsig_valid(enriched, 2)
    result = signing.validate(enriched)
    assert result.valid, result
    assert [s.level for s in result.signatures[:2]] == ["B-LTA", "B-LTA"]
    page = _page(client, cast, plan)
    assert "đã bổ sung (B-LTA, thời điểm" in page

    assert set(messages.values_list("state", flat=True)) == {"delivered"}
    received = Document.objects.get(source=plan, unit=cast.division)
    assert received.current_file == plan.current_file  # the recipients got the long-term file
    assert AuditEvent.objects.filter(verb="documents.long_term.added", target_id=str(plan.pk)).count() == 1

    assert document_jobs.enrich_issued.call(plan.pk) == "done already"  # running it twice is running it once
    assert AuditEvent.objects.filter(verb="documents.long_term.added", target_id=str(plan.pk)).count() == 1

    # the weekly renewal: nothing due yet; once the TSA certificate's end is near, a new archive time-stamp
    assert document_jobs.renew_archive_timestamps.call() == 0
    LongTermSignature.objects.filter(pk=record.pk).update(renew_by=timezone.now() - dt.timedelta(days=1))
    assert document_jobs.renew_archive_timestamps.call() == 1
    run_worker()
    plan.refresh_from_db()
    record.refresh_from_db()
    assert record.renew_by > timezone.now()
    renewed = plan.current_file.read_bytes()
    assert renewed.startswith(enriched)
    result = signing.validate(renewed)
    assert result.valid, result
    assert [s.kind for s in result.signatures].count("timestamp") == 2
    assert document_jobs.renew_archive_timestamp.call(plan.pk) == "not due"


def test_a_tsa_that_is_down_leaves_issuance_instant_and_the_job_retries_then_fails(
        lta, doc_types, draft_pdf, client, settings):
    cast = lta
    plan = signed_plan(cast, doc_types, draft_pdf)
    run_worker()
    settings.TSA_URL = DOWN
    actions.issue_outgoing(document=plan, acting=cast.lan, secret=SIGNING_SECRET,
                           otp=code_for(cast.lan))  # no TSA asked: done
    plan.refresh_from_db()
    assert plan.status == Status.ISSUED
    assert plan.number == 1

    run_worker()  # the first attempt fails: the job waits its backoff, the deliveries wait for it
    (row,) = _jobs("enrich_issued")
    assert row.status == "READY"
    assert row.run_after > timezone.now()
    policy = policy_for("vanthu.documents.jobs.enrich_issued")
    assert policy.attempts == long_term.ATTEMPTS
    record = LongTermSignature.objects.get(document=plan)
    assert (record.state, record.attempts) == (LongTermState.PENDING, 1)
    assert set(OutboxMessage.objects.filter(document=plan).values_list("state", flat=True)) == {"waiting"}
    assert "đang bổ sung" in _page(client, cast, plan)

    for attempt in range(2, long_term.ATTEMPTS + 1):  # the later attempts (as the worker runs them when due)
        with pytest.raises(signing.SigningRefused):
            document_jobs.enrich_issued.call(plan.pk)
        record.refresh_from_db()
        assert record.attempts == attempt
    assert record.state == LongTermState.FAILED
    run_worker()  # the deliveries the last attempt let go
    assert "TSA" in record.error
    page = _page(client, cast, plan)
    assert "lỗi:" in page
    assert "/quan-tri/viec-nen/" in page  # the retry path: the jobs page
    # after the last attempt the deliveries went, with the file as sealed
    assert set(OutboxMessage.objects.filter(document=plan).values_list("state", flat=True)) == {"delivered"}

    settings.TSA_URL = lta.live_url + "/pki/tsa"  # the TSA is back; the administrator retries the job
    assert document_jobs.enrich_issued.call(plan.pk) == "B-LTA"
    record.refresh_from_db()
    assert (record.state, record.level, record.error) == (LongTermState.DONE, "B-LTA", "")


def test_nothing_is_owed_when_the_request_reaches_the_level(cast, doc_types, draft_pdf, settings, jobs):
    settings.KEY_SCRYPT_LOG2N = 10
    settings.TSA_URL = "builtin"
    settings.PADES_LEVEL = "B-T"
    plan = signed_plan(cast, doc_types, draft_pdf)
    jobs(actions.issue_outgoing, document=plan, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    plan.refresh_from_db()
    assert not hasattr(plan, "long_term")  # no record: nothing owed, nothing held
    assert signing.level_of(plan.current_file.read_bytes()) == "B-T"
    assert set(OutboxMessage.objects.filter(document=plan).values_list("state", flat=True)) == {"delivered"}


@pytest.fixture
def jobs(django_capture_on_commit_callbacks):
    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run
