"""Idempotency-Key (issue 18 item 3, decision 0019): bound to person, operation and request; never replays the
wrong thing; one header only; keys expire and are pruned by a daily job."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.api.conftest import error_of, incoming_form
from tests.api.test_drafting_api import draft_form
from vanthu.api.models import IDEMPOTENCY_TTL, IdempotencyKey
from vanthu.audit.models import AuditEvent
from vanthu.core.actors import TEST_FIXTURES
from vanthu.documents.models import Document


def incoming(client, cast, doc_types, pdf, key, **overrides):
    return client.upload("/incoming", incoming_form(cast, doc_types, **overrides), {"file": ("cv.pdf", pdf)},
                         **{"Idempotency-Key": key})


def test_a_retry_of_the_same_request_replays_the_first_answer(cast, doc_types, incoming_pdf, api):
    lan = api(cast.lan)
    first = incoming(lan, cast, doc_types, incoming_pdf, "k-1")
    again = incoming(lan, cast, doc_types, incoming_pdf, "k-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    row = IdempotencyKey.objects.get()
    assert (row.operation, row.document_id) == ("POST /incoming", first.json()["id"])


def test_the_same_key_with_another_body_is_refused_not_replayed(cast, doc_types, incoming_pdf, api):
    lan = api(cast.lan)
    assert incoming(lan, cast, doc_types, incoming_pdf, "k-2").status_code == 201
    other = incoming(lan, cast, doc_types, incoming_pdf, "k-2", subject="V/v một việc khác hẳn")
    assert other.status_code == 422
    error = error_of(other)
    assert (error["code"], error["field"]) == ("idempotency_key_reused", "Idempotency-Key")
    assert "Idempotent-Replayed" not in other
    assert Document.objects.count() == 1
    assert AuditEvent.objects.filter(verb="api.idempotency.refused").count() == 1


def test_the_same_key_on_another_operation_is_refused(cast, doc_types, incoming_pdf, draft_pdf, api):
    hoa = api(cast.hoa)
    assert incoming(hoa, cast, doc_types, incoming_pdf, "k-3", unit=cast.command.pk).status_code == 201
    draft = hoa.upload("/drafts", draft_form(cast, doc_types), {"file": ("du-thao.pdf", draft_pdf)},
                       **{"Idempotency-Key": "k-3"})
    assert draft.status_code == 422
    assert error_of(draft)["code"] == "idempotency_key_reused"
    assert not Document.objects.filter(direction="out").exists()


def test_two_headers_are_refused_not_joined_into_one_key(cast, doc_types, incoming_pdf, api):
    response = incoming(api(cast.lan), cast, doc_types, incoming_pdf, "a, b")
    assert response.status_code == 400
    assert error_of(response)["code"] == "idempotency_key_invalid"
    assert not Document.objects.exists()


def test_a_refused_request_releases_its_key(cast, doc_types, incoming_pdf, api):
    lan = api(cast.lan)
    past = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    refused = incoming(lan, cast, doc_types, incoming_pdf, "k-4", due_date=past)
    assert refused.status_code == 400
    assert not IdempotencyKey.objects.exists()
    fixed = incoming(lan, cast, doc_types, incoming_pdf, "k-4")
    assert fixed.status_code == 201


def test_an_expired_key_starts_a_new_request_and_the_daily_job_prunes_it(cast, doc_types, incoming_pdf, api):
    from vanthu.api.actions import prune_idempotency_keys

    lan = api(cast.lan)
    first = incoming(lan, cast, doc_types, incoming_pdf, "k-5")
    IdempotencyKey.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    again = incoming(lan, cast, doc_types, incoming_pdf, "k-5")
    assert again.status_code == 201
    assert again.json()["id"] != first.json()["id"]
    IdempotencyKey.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert prune_idempotency_keys(acting=TEST_FIXTURES) == 1
    assert not IdempotencyKey.objects.exists()
    assert dt.timedelta(hours=24) == IDEMPOTENCY_TTL


def test_the_prune_job_is_registered_as_daily():
    from vanthu.jobs.registry import autodiscover, periodic_jobs

    autodiscover()
    names = {(task.module_path, period) for task, period in periodic_jobs()}
    assert ("vanthu.api.jobs.prune_idempotency_keys", "day") in names
