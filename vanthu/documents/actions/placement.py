"""The preview of the final page before signing and sealing, and the positions placed by hand on it.

`place_element` is the one write: the signer places the number, date, signature or seal on the approved draft
before signing; the clerk places the seal on the signed document before issuing (the number, date and
signature are fixed by the personal signature then). A position outside the page, or over the number, is
refused with a translated reason and an audited refusal; nothing is changed. `record_preview` stores what the
job `documents.jobs.render_preview` made (derived data, not audited, as `record_validation`).
"""

from typing import Any

from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.errors import ActionRefused
from vanthu.documents import access
from vanthu.documents.actions.common import deny, lock
from vanthu.documents.models import Document, PagePreview, Placement, PreviewState
from vanthu.jobs import enqueue_on_commit
from vanthu.org.models import Person
from vanthu.signing import placement as geometry

SIGNER_ELEMENTS = ("number", "date", "signature", "seal")
CLERK_ELEMENTS = ("seal",)


def elements_for(person: Person, document: Document) -> tuple[str, ...]:
    """What `person` may place on the document as it stands (empty: nothing)."""
    if access.can_sign(person, document):
        return SIGNER_ELEMENTS
    if access.can_issue(person, document):
        return CLERK_ELEMENTS
    return ()


def preview_name_line(document: Document) -> str:
    signer = document.signer
    return signer.rank_and_name if signer is not None else ""


def preview_of(document: Document) -> PagePreview | None:
    """The preview of the document's current file; asks for it (the job renders it) when there is none yet."""
    if document.current_file_id is None:
        return None
    preview, created = PagePreview.objects.get_or_create(file_id=document.current_file_id,
                                                         name_line=preview_name_line(document))
    if created:
        enqueue_on_commit("vanthu.documents.jobs.render_preview", preview.pk)
    return preview


def record_preview(*, preview: PagePreview, layout: dict[str, Any] | None, images: dict[str, str],
                   error: str = "") -> None:
    preview.layout = layout or {}
    preview.images = images
    preview.error = error[:500]
    preview.state = PreviewState.FAILED if error else PreviewState.READY
    preview.save(update_fields=["layout", "images", "error", "state"])


def current_positions(document: Document) -> dict[str, list[Any]]:
    """The positions placed by hand that still count: the seal's always, the others only for the approved
    revision they were placed on."""
    return positions_of(document, Placement.objects.filter(document=document).first())


def positions_of(document: Document, row: Placement | None) -> dict[str, list[Any]]:
    """`current_positions` from the placement `row` already read with the document (None: it has none)."""
    if row is None:
        return {}
    same_revision = row.approved_sha256 == document.approved_sha256
    return {k: v for k, v in row.positions.items() if k == "seal" or same_revision}


def _refuse(code: str, document: Document) -> ActionRefused:
    messages = {
        "page": _("Vị trí không hợp lệ: số và ngày văn bản phải ở trang đầu, các phần khác phải ở một trang của "
                  "văn bản."),
        "outside": _("Vị trí nằm ngoài trang văn bản; hãy chọn chỗ khác trên trang."),
        "over_number": _("Vị trí này đè lên số văn bản; hãy chọn chỗ khác để số văn bản không bị che."),
        "element": _("Không thể đặt phần này ở bước hiện tại."),
        "no_preview": _("Bản xem trước chưa sẵn sàng; hãy chờ giây lát rồi thử lại."),
    }
    return ActionRefused(messages[code], code=f"placement_{code}", field="x", target=document)


@action("documents.outgoing.placed")
def place_element(*, document: Document, acting: Person, element: str, page: int, x: float, y: float) -> Placement:
    """Put one element (number, date, signature, seal) at (page, x, y): its centre, PDF points from the
    bottom left of the page. What is signed and sealed then uses it (issuance.sign_outgoing, issue_outgoing)."""
    document = lock(document)
    allowed = elements_for(acting, document)
    if not allowed:
        raise deny(document)
    if element not in allowed:
        raise _refuse("element", document)
    preview = PagePreview.objects.filter(file_id=document.current_file_id, name_line=preview_name_line(document),
                                         state=PreviewState.READY).first()
    if preview is None:
        raise _refuse("no_preview", document)
    layout = preview.layout
    positions = current_positions(document)
    number_spot = geometry.spots_from(positions).get("number")
    number_box = number_spot.box("number") if number_spot else tuple(layout["boxes"]["number"][1])
    spot = geometry.Spot(page=page, x=x, y=y)
    try:
        geometry.check_spot(element, spot, page_size=tuple(layout["page_size"]), pages=int(layout["pages"]),
                            number=number_box)
    except geometry.BadSpot as exc:
        raise _refuse(exc.code, document) from exc
    row, _created = Placement.objects.get_or_create(document=document)
    if row.approved_sha256 != document.approved_sha256:
        row.positions = {k: v for k, v in row.positions.items() if k == "seal"}
        row.approved_sha256 = document.approved_sha256
    row.positions = {**row.positions, element: [page, round(x, 2), round(y, 2)]}
    row.updated_by = acting
    row.save()
    log.record(actor=acting, verb="documents.outgoing.placed", target=document, unit=document.unit,
               data={"element": element, "page": page, "x": round(x, 2), "y": round(y, 2),
                     "sha256": document.current_file_id})
    return row
