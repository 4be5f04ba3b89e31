"""Issue 16, item 3, through the API: the sender and the receiver keep separate records. A delivered copy
belongs to the receiving unit; the sender learns only the statuses; no answer carries the id of a document
the caller may not see. And the sender's view of each delivery, with the retry of a failed one."""

from __future__ import annotations

import pytest

from tests.outbox_helpers import signed_plan
from vanthu.documents import actions
from vanthu.documents.models import Document
from vanthu.org.models import Unit
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET


@pytest.fixture
def issued(cast, doc_types, draft_pdf, django_capture_on_commit_callbacks):
    document = signed_plan(cast, doc_types, draft_pdf)
    with django_capture_on_commit_callbacks(execute=True):
        actions.issue_outgoing(document=document, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    return document


def test_the_sending_clerk_gets_404_for_the_receivers_copy(cast, issued, api):
    copy = Document.objects.get(source=issued, unit=cast.division)
    lan = api(cast.lan)
    assert lan.get(f"/documents/{copy.pk}").status_code == 404
    assert lan.get(f"/documents/{copy.pk}/history").status_code == 404
    assert copy.pk not in [d["id"] for d in lan.get("/documents", {"direction": "in"}).json()["items"]]


def test_the_sender_sees_statuses_and_no_id_of_the_receivers_copies(cast, issued, api,
                                                                     django_capture_on_commit_callbacks):
    copy = Document.objects.get(source=issued, unit=cast.division)
    with django_capture_on_commit_callbacks(execute=True):
        actions.register_received(document=copy, acting=cast.minh)
    body = api(cast.lan).get(f"/documents/{issued.pk}").json()
    by_unit = {r["unit"]["id"]: r for r in body["recipients"] if r["unit"]}
    assert {r["delivered_id"] for r in body["recipients"]} == {None}
    assert (by_unit[cast.division.pk]["state"], by_unit[cast.division.pk]["delivery_state"]) == ("accepted",
                                                                                                   "delivered")
    assert by_unit[cast.province.pk]["state"] == "received"


def test_the_receiver_is_not_given_the_id_of_the_senders_document(cast, issued, api):
    copy = Document.objects.get(source=issued, unit=cast.division)
    body = api(cast.dung).get(f"/documents/{copy.pk}").json()
    assert body["source_id"] is None
    assert api(cast.dung).get(f"/documents/{issued.pk}").status_code == 404


def test_a_reader_who_may_see_both_gets_both_ids(cast, issued, api):
    copy = Document.objects.get(source=issued, unit=cast.division)
    hung = api(cast.hung)  # commands the whole tree
    assert hung.get(f"/documents/{copy.pk}").json()["source_id"] == issued.pk
    delivered = {r["delivered_id"] for r in hung.get(f"/documents/{issued.pk}").json()["recipients"]}
    assert copy.pk in delivered


def test_a_failed_delivery_shows_its_reason_and_the_clerk_retries_it(cast, doc_types, draft_pdf, api,
                                                                      django_capture_on_commit_callbacks):
    document = signed_plan(cast, doc_types, draft_pdf)
    Unit.objects.filter(pk=cast.province.pk).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        actions.issue_outgoing(document=document, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    lan = api(cast.lan)
    body = lan.get(f"/documents/{document.pk}").json()
    row = next(r for r in body["recipients"] if r["unit"] and r["unit"]["id"] == cast.province.pk)
    assert (row["delivery_state"], row["delivery_failure"]) == ("failed", "Đơn vị nhận đã ngừng hoạt động.")
    assert "retry_delivery" in body["allowed"]

    refused = api(cast.quang).post(f"/documents/{document.pk}/deliveries/{row['delivery_id']}/retry")
    assert refused.status_code == 403
    Unit.objects.filter(pk=cast.province.pk).update(is_active=True)
    with django_capture_on_commit_callbacks(execute=True):
        retried = lan.post(f"/documents/{document.pk}/deliveries/{row['delivery_id']}/retry")
    assert retried.status_code == 200
    after = lan.get(f"/documents/{document.pk}").json()
    row = next(r for r in after["recipients"] if r["unit"] and r["unit"]["id"] == cast.province.pk)
    assert (row["state"], row["delivery_state"]) == ("received", "delivered")
    assert lan.post(f"/documents/{document.pk}/deliveries/987654/retry").status_code == 404
