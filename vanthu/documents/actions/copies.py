"""Electronic copies (Decree 30 Điều 25–27): SAO Y, SAO LỤC, TRÍCH SAO."""



from django.utils import translation
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core import files
from vanthu.core.actions import action
from vanthu.core.errors import ActionRefused
from vanthu.documents import access
from vanthu.documents.actions.common import deny, validate_on_commit
from vanthu.documents.models import (
    CopyForm,
    Document,
    DocumentCopy,
)
from vanthu.documents.uploads import PDF
from vanthu.org import second_factor
from vanthu.org.models import Person, Unit
from vanthu.org.queries import scope_of
from vanthu.signing import service as signing

# --- electronic copies -----------------------------------------------------------------------------------


def parse_pages(text: str, *, page_count: int) -> list[int]:
    """'1-3, 5' → [1, 2, 3, 5] (1-based, in order, no repeats); refuses pages outside the document."""
    pages: list[int] = []
    for part in (p.strip() for p in text.replace(";", ",").split(",")):
        if not part:
            continue
        first, _sep, last = part.partition("-")
        try:
            start, end = int(first), int(last or first)
        except ValueError as exc:
            raise ActionRefused(_("Trang cần trích sao phải ghi như 1-3, 5."), code="invalid", field="pages") from exc
        if not 1 <= start <= end <= page_count:
            raise ActionRefused(_("Văn bản chỉ có %(n)s trang.") % {"n": page_count}, code="invalid", field="pages")
        pages.extend(n for n in range(start, end + 1) if n not in pages)
    if not pages:
        raise ActionRefused(_("Hãy ghi các trang cần trích sao."), code="invalid", field="pages")
    return pages


def _extract(pdf: bytes, pages: list[int]) -> bytes:
    import io

    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter()
    for number in pages:
        writer.add_page(reader.pages[number - 1])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _check_copier(*, document: Document, acting: Person, unit: Unit, form: str) -> None:
    if not access.can_copy(acting, document):
        raise deny(document)
    if unit.pk not in scope_of(acting).clerk_unit_ids:
        raise ActionRefused(_("Chỉ văn thư của đơn vị mới ký số bản sao của đơn vị đó."), code="forbidden",
                            field="unit", status=403)
    refusal = access.unit_refusal(unit, document.secrecy, field="unit", target=document)
    if refusal is not None:  # the copy is the unit's: its leaders and clerks must be cleared for the mark
        raise refusal
    if form not in CopyForm.values:
        raise ActionRefused(_("Hình thức sao không hợp lệ."), code="invalid", field="form")


def _copier_and_code(*, document: Document, acting: Person, unit: Unit, form: str, otp: str | None = None,
                     **_kwargs: object) -> None:
    """Before the copy's transaction: the rights first, then the clerk's second factor (decision 0020)."""
    _check_copier(document=document, acting=acting, unit=unit, form=form)
    second_factor.require_code(acting=acting, otp=otp, document=document)


@action("documents.copy.made", before=_copier_and_code)
def make_copy(
    *,
    document: Document,
    acting: Person,
    unit: Unit,
    form: str,
    secret: str | None,
    otp: str | None = None,
    pages: str = "",
    source_copy: DocumentCopy | None = None,
) -> DocumentCopy:
    """An electronic copy (Decree 30 Điều 25–27): SAO Y of the document, SAO LỤC of a SAO Y copy, or TRÍCH SAO
    of some pages; signed by `unit` with the text-only stamp (copy form, unit, time) at the top right."""
    _check_copier(document=document, acting=acting, unit=unit, form=form)
    assert document.current_file is not None
    source = document.current_file.read_bytes()
    page_list = ""
    if form == CopyForm.REISSUE_COPY:
        if source_copy is None or source_copy.document_id != document.pk or source_copy.form != CopyForm.TRUE_COPY:
            raise ActionRefused(_("Bản sao lục được làm từ một bản sao y của chính văn bản này."),
                                code="reissue_needs_true_copy", field="source_copy")
        source = source_copy.file.read_bytes()
    elif form == CopyForm.EXTRACT:
        chosen = parse_pages(pages, page_count=document.page_amount or 1)
        source = _extract(source, chosen)
        page_list = ", ".join(str(n) for n in chosen)
    with translation.override("vi"):  # the stamp on the copy is part of the document: always Vietnamese
        lines = [str(CopyForm(form).label).upper(), unit.name]
        if page_list:
            lines.append(_("Trang %(pages)s của văn bản %(ref)s") % {"pages": page_list,
                                                                     "ref": document.notation or document.subject[:60]})
    signed = signing.seal_text_only(pdf=source, unit=unit, lines=[str(line) for line in lines], secret=secret)
    stored = files.store_bytes(signed, content_type=PDF)
    copy = DocumentCopy.objects.create(document=document, form=form, unit=unit, source_copy=source_copy,
                                       pages=page_list, file=stored, made_by=acting)
    validate_on_commit(stored)
    log.record(actor=acting, verb="documents.copy.made", target=document, unit=unit,
               data={"copy": copy.pk, "form": form, "pages": page_list, "sha256": stored.sha256})
    return copy
