"""The database connection lost in the middle of a JSON API call (issue 13, "Faults"; on PostgreSQL): the caller
gets 503 in the API's one error shape with Retry-After, nothing is half-written, and the retry succeeds — as the
pages answer 503 (tests/backup/test_faults.py, whose way of ending the backend this borrows)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import ApiClient, error_of, new_token
from tests.backup.test_faults import backend_ended_at
from vanthu.audit import log
from vanthu.records.models import Record

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _record_insert(sql: str, params: Any) -> bool:
    return sql.startswith('INSERT INTO "records_record"')


def test_a_lost_database_connection_answers_503_in_the_error_shape_and_the_retry_succeeds(cast):
    lan = ApiClient(new_token(cast.lan))
    body = {"unit": cast.staff.pk, "year": 2026, "code": "09.TC", "title": "Hồ sơ diễn tập", "retention_years": 5}
    with backend_ended_at(_record_insert) as fired:
        answer = lan.post("/records", body)
    assert fired, "the chosen statement ran"
    assert answer.status_code == 503
    assert answer["Content-Type"].startswith("application/json")
    assert answer["Retry-After"] == "5"
    error = error_of(answer)
    assert error["code"] == "database_unavailable"
    assert "Mất kết nối" in error["message"] or "không có gì bị ghi dở" in error["message"]
    assert not Record.objects.filter(code="09.TC").exists()  # nothing half-written

    retried = lan.post("/records", body)
    assert retried.status_code == 200, retried.content.decode()[:1000]
    assert Record.objects.filter(code="09.TC").count() == 1
    assert all(report.ok for report in log.verify_all())


def test_the_english_caller_reads_the_same_answer_in_english(cast):
    lan = ApiClient(new_token(cast.lan), language="en")
    body = {"unit": cast.staff.pk, "year": 2026, "code": "10.TC", "title": "Hồ sơ", "retention_years": 5}
    with backend_ended_at(_record_insert):
        answer = lan.post("/records", body)
    assert answer.status_code == 503
    assert "database" in error_of(answer)["message"].lower()


def test_a_connection_lost_before_the_token_is_read_answers_503_even_with_debug_on(cast, settings):
    """django-ninja answers a view's unexpected exception itself when DEBUG is on (a 500 with the traceback): the
    API's own handler answers first, so a deployment with VANTHU_DEBUG gets the same 503."""
    settings.DEBUG = True
    lan = ApiClient(new_token(cast.lan))
    with backend_ended_at(lambda sql, params: True) as fired:
        answer = lan.get("/records")
    assert "api_apitoken" in fired[0]  # the first statement of the call: the token's look-up
    assert answer.status_code == 503
    assert error_of(answer)["code"] == "database_unavailable"
    assert lan.get("/records").status_code == 200
