"""Issue 12 item 2 through the API: POST /incoming with check_duplicates refuses a document the register seems
to hold already (409 possible_duplicate, nothing saved, the refusal audited); sent again without the check it
is registered, with the earlier entry in its audit event."""

from __future__ import annotations

from tests.api.conftest import error_of
from tests.api.test_incoming_api import post_incoming
from vanthu.audit.models import AuditEvent
from vanthu.documents.models import Document


def test_a_possible_duplicate_is_refused_when_asked_then_registered_anyway(cast, doc_types, incoming_pdf, api):
    lan = api(cast.lan)
    first = post_incoming(lan, cast, doc_types, incoming_pdf)
    assert first.status_code == 201, first.content
    again = post_incoming(lan, cast, doc_types, incoming_pdf, check_duplicates="true")
    assert again.status_code == 409, again.content
    assert error_of(again)["code"] == "possible_duplicate"
    assert Document.objects.count() == 1
    assert AuditEvent.objects.filter(verb="documents.incoming.registered.refused").count() == 1
    anyway = post_incoming(lan, cast, doc_types, incoming_pdf, check_duplicates="false")
    assert anyway.status_code == 201
    event = AuditEvent.objects.get(verb="documents.incoming.registered", target_id=str(anyway.json()["id"]))
    assert event.data["duplicate_of"] == [first.json()["id"]]
