"""A document ready to issue to two units of the tree, shared by the outbox tests of actions, API and pages."""

from __future__ import annotations

from tests.conftest import checked
from vanthu.core.actors import TEST_FIXTURES
from vanthu.documents import actions
from vanthu.documents.models import Document
from vanthu.org import actions as org
from vanthu.org.models import SigningAuthority
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET, equip_cast


def signed_plan(cast, doc_types, draft_pdf) -> Document:
    """The Staff's plan to the division and the province (and an outside body), signed by Sơn; Minh is made
    the division's clerk and Tâm the province's."""
    equip_cast(cast, people=("son",), units=("staff",))
    org.grant_role(person=cast.minh, unit=cast.division, role="clerk", acting=TEST_FIXTURES)
    org.grant_role(person=cast.tam, unit=cast.province, role="clerk", acting=TEST_FIXTURES)
    data = actions.DraftData(doc_type=doc_types["KH"], subject="Kế hoạch huấn luyện năm 2027",
                             recipient_units=[cast.division, cast.province], recipient_names=["Quân khu 7"])
    doc = actions.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff, data=data,
                               file=checked(draft_pdf))
    actions.submit_for_review(document=doc, acting=cast.quang,
                              signer_authority=SigningAuthority.objects.get(person=cast.son))
    actions.sign_outgoing(document=doc, acting=cast.son, secret=SIGNING_SECRET, otp=code_for(cast.son))
    doc.refresh_from_db()
    return doc


def issue_as_clerk(document: Document, cast) -> Document:
    """Lan, the Staff's clerk, issues `document` (her second factor given)."""
    return actions.issue_outgoing(document=document, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
