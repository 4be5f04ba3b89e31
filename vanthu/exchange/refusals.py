"""Status 02 for an envelope this deployment refused: answered at once on HTTP (the body of the 422), carried
back in the next bundle for a bundle peer (bundles.export, once per refused envelope)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from vanthu.exchange import edxml, outgoing, sealing
from vanthu.exchange.edxml.model import DocumentId
from vanthu.org.models import Unit
from vanthu.signing.types import SigningRefused


def refusal_status(unit: Unit | None, *, from_organ: str, from_name: str, document_id: str,
                   reason: str) -> bytes | None:
    """Status 02 'refused' with the reason, signed by the receiving unit (or, when the envelope named none of
    ours, the highest unit whose seal opens): what the sender keeps as the receipt of the refusal. None when no
    key can sign."""
    if unit is None:
        found = sealing.highest_sealed()
        unit = found[0] if found is not None else None
    signer = unit
    structured = DocumentId.parse(document_id)
    if signer is None or not signer.code or structured is None:
        return None
    status = edxml.StatusMessage(
        from_=outgoing.organization(signer),
        response_for=edxml.ResponseFor(organ_id=from_organ, code=f"{structured.number}/{structured.notation}",
                                       promulgation_date=structured.date, document_id=document_id),
        code=edxml.StatusCode.REFUSED, description=reason[:500] or _("Từ chối tiếp nhận"),
        timestamp=outgoing.vn_now(), to=(edxml.Organization(organ_id=from_organ, organ_name=from_name),),
    )
    try:
        return outgoing.sign_as(signer, edxml.build_status(status))
    except (SigningRefused, edxml.EnvelopeInvalid):
        return None
