"""Issue 8 in /api/v1/: a sent document's recipients with their trails, the clerk's arrivals, the answer to a
recall; 404 for whoever may not see the document (both units' clerks and leaders, an outsider)."""

from __future__ import annotations

import pytest

from tests.outbox_helpers import signed_plan
from vanthu.documents import actions
from vanthu.documents.models import Document, Recipient, Status
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET
from vanthu.workflow import actions as workflow


@pytest.fixture
def issued(cast, doc_types, draft_pdf, django_capture_on_commit_callbacks):
    document = signed_plan(cast, doc_types, draft_pdf)
    with django_capture_on_commit_callbacks(execute=True):
        actions.issue_outgoing(document=document, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    return document


def test_the_sender_reads_each_recipients_trail(cast, issued, api, django_capture_on_commit_callbacks):
    copy = Document.objects.get(source=issued, unit=cast.division)
    with django_capture_on_commit_callbacks(execute=True):
        actions.register_received(document=copy, acting=cast.minh)
    for reader in (cast.lan, cast.son):  # the issuing unit's clerk, the signer
        response = api(reader).get(f"/documents/{issued.pk}/recipients")
        assert response.status_code == 200
        rows = {r["unit"]["id"] if r["unit"] else r["external_name"]: r for r in response.json()}
        division = rows[cast.division.pk]
        assert division["state"] == "accepted"
        assert [(t["code"], t["status"], t["verified"], t["transport"]) for t in division["trail"]] == [
            ("01", "arrived", False, "local"), ("03", "registered", False, "local")]
        assert rows["Quân khu 7"]["trail"] == []


def test_whoever_may_not_see_the_sent_document_gets_404(cast, issued, api):
    for outsider in (cast.minh, cast.tam, cast.dung, cast.admin):  # the receivers' clerks and leader, an outsider
        assert api(outsider).get(f"/documents/{issued.pk}/recipients").status_code == 404
    assert api(None).get(f"/documents/{issued.pk}/recipients").status_code == 401


def test_the_clerk_reads_the_arrivals_to_register(cast, issued, api):
    body = api(cast.minh).get("/arrivals").json()
    assert [a["received_via"] for a in body["waiting"]] == ["internal"]
    copy = Document.objects.get(source=issued, unit=cast.division)
    assert [a["id"] for a in body["waiting"]] == [copy.pk]
    assert api(cast.lan).get("/arrivals").json()["waiting"] == []


def test_a_recall_is_refused_and_accepted_through_the_api(cast, issued, api, django_capture_on_commit_callbacks):
    copy = Document.objects.get(source=issued, unit=cast.division)
    with django_capture_on_commit_callbacks(execute=True):
        actions.register_received(document=copy, acting=cast.minh)
        workflow.direct(document=copy, acting=cast.dung, text="Minh chủ trì.", lead=cast.minh)
        workflow.complete(assignment=copy.assignments.get(person=cast.minh), acting=cast.minh, result="Xong.")
        actions.recall_outgoing(document=issued, acting=cast.lan, reason="Ban hành nhầm")
    assert api(cast.lan).post(f"/documents/{copy.pk}/recall/accept").status_code == 404  # the sender's clerk
    assert api(cast.dung).post(f"/documents/{copy.pk}/recall/refuse", {"reason": ""}).status_code in (400, 422)
    pending = api(cast.minh).get("/arrivals").json()["recall_pending"]
    assert [a["recall_reason"] for a in pending] == ["Ban hành nhầm"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api(cast.minh).post(f"/documents/{copy.pk}/recall/accept")
    assert response.status_code == 200
    assert response.json()["status"] == Status.CANCELLED
    assert Recipient.objects.get(document=issued, unit=cast.division).state == Recipient.State.RECALLED
    trail = api(cast.lan).get(f"/documents/{issued.pk}/recipients").json()
    division = next(r for r in trail if r["unit"] and r["unit"]["id"] == cast.division.pk)
    assert division["trail"][-1]["code"] == "15"
    assert api(cast.minh).post(f"/documents/{copy.pk}/recall/refuse", {"reason": "muộn"}).status_code == 403
