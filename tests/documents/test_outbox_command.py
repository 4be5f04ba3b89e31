"""`vanthu outbox deliver` delivers what waits (as the jobs would) and `status` counts by state."""

from __future__ import annotations

import io

from django.core.management import call_command

from tests.outbox_helpers import signed_plan
from vanthu.documents import actions
from vanthu.documents.models import Document, OutboxMessage
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET


def test_outbox_deliver_delivers_the_waiting_messages(cast, doc_types, draft_pdf):
    document = signed_plan(cast, doc_types, draft_pdf)
    actions.issue_outgoing(document=document, acting=cast.lan, secret=SIGNING_SECRET,
                           otp=code_for(cast.lan))  # no commit: jobs wait
    out = io.StringIO()
    call_command("outbox", "status", stdout=out)
    assert "waiting: 2" in out.getvalue()
    call_command("outbox", "deliver", stdout=out)
    assert "4 message(s) tried" in out.getvalue()  # the 2 documents, then the 2 arrivals (01) they caused
    assert "delivered: 4" in out.getvalue()
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {"delivered"}
    assert Document.objects.filter(source=document).count() == 2
