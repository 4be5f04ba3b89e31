"""A refused envelope at Division 301 (a tampered copy of the Staff's signed plan), for the pages and the API."""

from __future__ import annotations

from django.test import override_settings

from tests.outbox_helpers import signed_plan
from vanthu.documents import actions
from vanthu.documents.models import OutboxMessage
from vanthu.exchange import outgoing, receiving, sealing
from vanthu.exchange.models import ReceivedEnvelope
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET


def refused_at_division(cast, doc_types, draft_pdf, capture) -> ReceivedEnvelope:
    document = signed_plan(cast, doc_types, draft_pdf)
    with capture(execute=False):
        actions.issue_outgoing(document=document, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    sealing.forget()
    with override_settings(EXCHANGE_SEAL_SECRET=SIGNING_SECRET):
        message = OutboxMessage.objects.get(document=document, recipient__unit=cast.division)
        data = outgoing.signed_bytes(message, to=outgoing.organization(cast.division))
    sealing.forget()
    tampered = data.replace("Kế hoạch huấn luyện".encode(), "Kế hoạch hành quân".encode())
    receipt = receiving.receive(tampered, transport="local")
    assert not receipt.accepted
    return ReceivedEnvelope.objects.get(pk=receipt.envelope.pk)
