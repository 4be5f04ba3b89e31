"""The printed registers of Decree 30 Phụ lục IV: which documents, in which order, with which columns.

A printout covers one unit's register (kind and number series) over a date range of at most 366 days; a
range across New Year takes both years' registers, each in number order. Only documents that hold a number
appear (drafts never do). Rows come from one query (iterated in chunks, each chunk with a fixed number of
prefetches), so a year of 50,000 documents streams through the PDF and XLSX writers without loading every
related row at once.

Decree 30 Điều 16 and 22: a register kept in the System is printed with every field of the register form,
signed and bound. `open_register` gathers what the cover and the closing line need (counts, first and last
number per year, the highest secrecy inside) with one aggregate query; `incoming_rows` / `outgoing_rows`
yield the typed rows.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Min, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanthu.core.choices import Secrecy, Urgency
from vanthu.documents.access import can_print_register
from vanthu.documents.models import Document, Recipient, Register, RegisterKind, Status
from vanthu.documents.numbering import GENERAL, SECRET, format_number
from vanthu.org.models import Person, Unit
from vanthu.workflow.models import Assignment, AssignmentRole

MAX_DAYS = 366  # one register year (a leap year has 366 days); bounds the work of one printout
CHUNK = 2000  # rows fetched per round trip; each chunk costs the same small number of prefetch queries

Cell = str | int | dt.date | dt.datetime | None

KINDS = {"incoming": RegisterKind.INCOMING, "outgoing": RegisterKind.OUTGOING}

# Phụ lục IV column headings, in order; the printout numbers them (1) … (10).
INCOMING_COLUMNS: tuple[Promise, ...] = (
    gettext_lazy("Ngày đến"),
    gettext_lazy("Số đến"),
    gettext_lazy("Tác giả"),
    gettext_lazy("Số, ký hiệu"),
    gettext_lazy("Ngày tháng văn bản"),
    gettext_lazy("Tên loại và trích yếu"),
    gettext_lazy("Đơn vị hoặc người nhận"),
    gettext_lazy("Ngày chuyển"),
    gettext_lazy("Ký nhận"),
    gettext_lazy("Ghi chú"),
)
OUTGOING_COLUMNS: tuple[Promise, ...] = (
    gettext_lazy("Số, ký hiệu văn bản"),
    gettext_lazy("Ngày tháng văn bản"),
    gettext_lazy("Tên loại và trích yếu nội dung"),
    gettext_lazy("Người ký"),
    gettext_lazy("Nơi nhận văn bản"),
    gettext_lazy("Đơn vị, người nhận bản lưu"),
    gettext_lazy("Số lượng bản"),
    gettext_lazy("Ngày chuyển"),
    gettext_lazy("Ký nhận"),
    gettext_lazy("Ghi chú"),
)


@dataclass(frozen=True)
class IncomingRow:
    """One line of the Sổ đăng ký văn bản đến. `signed_for` (Ký nhận) stays blank for a handwritten signature."""

    year: int
    number: int
    arrival_at: dt.datetime  # local time
    organ_name: str
    notation: str
    issued_date: dt.date | None
    type_and_subject: str
    receivers: str
    transferred_at: dt.datetime | None  # local time
    note: str
    signed_for: str = ""

    def cells(self) -> tuple[Cell, ...]:
        """The ten Phụ lục IV columns, typed (dates stay dates for the spreadsheet)."""
        return (
            self.arrival_at, self.number, self.organ_name, self.notation, self.issued_date, self.type_and_subject,
            self.receivers, self.transferred_at.date() if self.transferred_at else None, self.signed_for, self.note,
        )


@dataclass(frozen=True)
class OutgoingRow:
    """One line of the Sổ đăng ký văn bản đi."""

    year: int
    number: int
    notation: str
    issued_date: dt.date | None
    type_and_subject: str
    signer: str
    recipients: str
    kept_by: str
    copies: int | None
    transferred_at: dt.datetime | None  # local time
    note: str
    signed_for: str = ""

    def cells(self) -> tuple[Cell, ...]:
        return (
            self.notation, self.issued_date, self.type_and_subject, self.signer, self.recipients, self.kept_by,
            self.copies, self.transferred_at.date() if self.transferred_at else None, self.signed_for, self.note,
        )


Row = IncomingRow | OutgoingRow


@dataclass(frozen=True)
class YearSpan:
    """The part of a printout that falls in one year's register: how many rows, first and last number."""

    year: int
    count: int
    first: int
    last: int


@dataclass
class RegisterPrintout:
    """What one printout covers, and the figures its cover and closing line show."""

    unit: Unit
    kind: str  # RegisterKind value
    series: str
    start: dt.date
    end: dt.date
    register_ids: list[int]
    spans: list[YearSpan] = field(default_factory=list)
    secrecy: int = Secrecy.NONE  # the highest secrecy of any row shown in full (the printout's own mark)
    clearance: int = Secrecy.TOP_SECRET  # the reader's: rows above it show number, date and secrecy mark only

    @property
    def is_incoming(self) -> bool:
        return self.kind == RegisterKind.INCOMING

    @property
    def is_secret(self) -> bool:
        return self.series == SECRET

    @property
    def count(self) -> int:
        return sum(span.count for span in self.spans)

    @property
    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))

    @property
    def years_text(self) -> str:
        first, last = self.start.year, self.end.year
        return str(first) if first == last else f"{first} – {last}"

    @property
    def columns(self) -> tuple[Promise, ...]:
        return INCOMING_COLUMNS if self.is_incoming else OUTGOING_COLUMNS

    @property
    def parent_name(self) -> str:
        """The governing body printed above the unit's name (tên cơ quan chủ quản); empty for the top unit."""
        parent = self.unit.parent
        return parent.name if parent is not None else ""

    @property
    def title(self) -> str:
        """'Sổ đăng ký văn bản đến', 'Sổ đăng ký văn bản mật đi' … (the cover prints it in capitals)."""
        if self.is_incoming:
            return _("Sổ đăng ký văn bản mật đến") if self.is_secret else _("Sổ đăng ký văn bản đến")
        return _("Sổ đăng ký văn bản mật đi") if self.is_secret else _("Sổ đăng ký văn bản đi")

    @property
    def series_text(self) -> str:
        """A per-type series ('loai-QĐ') is named on the cover; the general and secret series need no words."""
        if self.series in (GENERAL, SECRET):
            return ""
        return _("Dãy số: %(series)s") % {"series": self.series.removeprefix("loai-")}

    @property
    def range_text(self) -> str:
        return _("Từ ngày %(start)s đến ngày %(end)s") % {"start": day(self.start), "end": day(self.end)}

    @property
    def numbers_text(self) -> str:
        """'Từ số 01 đến số 120', one part per year when the range crosses New Year."""
        if not self.spans:
            return _("Không có văn bản nào được đăng ký trong khoảng thời gian này.")
        parts = []
        for span in self.spans:
            text = _("từ số %(first)s đến số %(last)s") % {
                "first": format_number(span.first), "last": format_number(span.last),
            }
            if len(self.spans) > 1:
                text += " " + _("(năm %(year)s)") % {"year": span.year}
            parts.append(text)
        joined = "; ".join(parts)
        return joined[0].upper() + joined[1:]

    @property
    def closing_text(self) -> str:
        """The line that closes the register before the signatures."""
        if not self.spans:
            return self.numbers_text
        return _("Sổ này gồm %(count)s văn bản, %(numbers)s.") % {
            "count": f"{self.count:,}".replace(",", "."),
            "numbers": self.numbers_text[0].lower() + self.numbers_text[1:],
        }

    @property
    def secrecy_mark(self) -> str:
        return str(Secrecy(self.secrecy).label).upper() if self.secrecy > Secrecy.NONE else ""

    @property
    def file_name(self) -> str:
        """Vietnamese file name, without extension: 'Sổ đăng ký văn bản đến - BTL - 2026'."""
        parts = [self.title, self.unit.abbreviation]
        if self.series_text:
            parts.append(self.series.removeprefix("loai-"))
        parts.append(self.years_text.replace(" – ", "-"))
        return " - ".join(parts)

    @property
    def ascii_file_name(self) -> str:
        """ASCII-safe file name, without extension: 'so-den-BTL-2026', 'so-mat-di-BTL-2025-2026'."""
        words = ["so"]
        if self.is_secret:
            words.append("mat")
        words.append("den" if self.is_incoming else "di")
        if self.series_text:
            words.append(self.series.removeprefix("loai-"))
        words.append(self.unit.abbreviation)
        words.append(str(self.start.year) if self.start.year == self.end.year
                     else f"{self.start.year}-{self.end.year}")
        return "-".join(ascii_only(word) for word in words)

    def documents(self) -> QuerySet[Document]:
        """The documents of the printout: numbered, in the register(s), inside the date range."""
        docs = Document.objects.filter(register_id__in=self.register_ids, number__isnull=False)
        if self.is_incoming:
            return docs.filter(arrival_at__gte=local_midnight(self.start),
                               arrival_at__lt=local_midnight(self.end + dt.timedelta(days=1)))
        return docs.filter(issued_date__gte=self.start, issued_date__lte=self.end)


def day(value: dt.date | dt.datetime | None) -> str:
    """dd/mm/yyyy (a datetime is shown in local time); empty for None."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return value.strftime("%d/%m/%Y")


def ascii_only(text: str) -> str:
    """'Đà Nẵng' → 'Da-Nang': diacritics dropped, đ → d, anything else outside [A-Za-z0-9_.-] → '-'."""
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "_.-") else "-" for ch in plain).strip("-")


def local_midnight(on: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(on, dt.time.min))


def open_register(*, unit: Unit, kind: str, series: str, start: dt.date, end: dt.date) -> RegisterPrintout:
    """The printout of `unit`'s register `kind`/`series` from `start` to `end` (no permission check)."""
    register_ids = list(
        Register.objects.filter(unit=unit, kind=kind, series=series, year__gte=start.year, year__lte=end.year)
        .order_by("year")
        .values_list("pk", flat=True)
    )
    printout = RegisterPrintout(unit=unit, kind=kind, series=series, start=start, end=end, register_ids=register_ids)
    if not register_ids:
        return printout
    figures = (
        printout.documents()
        .values("register__year")
        .annotate(count=Count("pk"), first=Min("number"), last=Max("number"), secrecy=Max("secrecy"))
        .order_by("register__year")
    )
    for row in figures:
        printout.spans.append(YearSpan(year=row["register__year"], count=row["count"], first=row["first"],
                                       last=row["last"]))
        printout.secrecy = max(printout.secrecy, row["secrecy"] or Secrecy.NONE)
    return printout


def access_register(
    person: Person | None, *, unit_id: int, kind: str, series: str, start: dt.date, end: dt.date
) -> RegisterPrintout:
    """The printout if `person` may print it; Http404 otherwise (a missing unit looks the same as a forbidden one).

    Only the unit's clerks and leaders print its registers; a secret register ('mat') needs at least Mật. Rows
    above the reader's clearance are printed with their number, date and secrecy mark only (as on the register
    page and in the API), and the printout carries the highest mark of what it shows in full.
    """
    if person is None:
        raise Http404
    unit = Unit.objects.select_related("parent").filter(pk=unit_id).first()
    if unit is None or not can_print_register(person, unit):
        raise Http404
    printout = open_register(unit=unit, kind=kind, series=series, start=start, end=end)
    if printout.is_secret and person.clearance < Secrecy.CONFIDENTIAL:
        raise Http404
    printout.clearance = person.clearance
    printout.secrecy = min(printout.secrecy, person.clearance)
    return printout


# --- rows ------------------------------------------------------------------------------------------------


def _type_and_subject(document: Document) -> str:
    # the type's name in the reader's language (stored in Vietnamese; msgids in documents/doctypes.py)
    return f"{_(document.type_name)} {document.subject}".strip()  # type: ignore[attr-defined]  # (annotated)


def _marks(document: Document) -> list[str]:
    marks = []
    if document.secrecy > Secrecy.NONE:
        marks.append(str(Secrecy(document.secrecy).label))
    if document.urgency > Urgency.NORMAL:
        marks.append(str(Urgency(document.urgency).label))
    return marks


def _person_text(person: Person) -> str:
    return f"{person.full_name} ({person.position})" if person.position else person.full_name


def _assignee_text(assignment: Assignment) -> str:
    if assignment.person is not None:
        return _person_text(assignment.person)
    assert assignment.unit is not None
    return assignment.unit.name


# The columns a row reads. Building model instances is most of the cost of 50,000 rows: the type's name and
# the register's year come as annotations (not two more instances per row) and other columns stay unloaded.
COMMON_FIELDS = ("number", "subject", "code_number", "code_notation", "issued_date", "secrecy", "urgency",
                 "status", "description")
INCOMING_FIELDS = (*COMMON_FIELDS, "arrival_at", "organ_name", "return_reason", "void_reason")
OUTGOING_FIELDS = (
    *COMMON_FIELDS, "signer_name", "signer_competence", "signer_position", "to_places", "issued_amount",
    "issued_at", "recalled_at", "recall_reason", "drafting_unit__name", "created_by__full_name",
    "signer_authority__prefix", "signer_authority__on_behalf_title", "signer_authority__title",
    "replaces__code_number", "replaces__code_notation",
)


def _ordered(documents: QuerySet[Document], fields: tuple[str, ...]) -> QuerySet[Document]:
    return (
        documents.only(*fields)
        .annotate(type_name=F("doc_type__name"), year=F("register__year"))
        .order_by("year", "number")
    )


def _mark(document: Document) -> str:
    return str(Secrecy(document.secrecy).label)


def _masked_incoming(document: Document) -> IncomingRow:
    """A row above the reader's clearance: its number, arrival date and secrecy mark, nothing else."""
    assert document.number is not None
    assert document.arrival_at is not None
    return IncomingRow(year=document.year, number=document.number,  # type: ignore[attr-defined]  # (annotated)
                       arrival_at=timezone.localtime(document.arrival_at), organ_name="", notation="",
                       issued_date=None, type_and_subject="", receivers="", transferred_at=None, note=_mark(document))


def _masked_outgoing(document: Document) -> OutgoingRow:
    """A row above the reader's clearance: its number, date and secrecy mark, nothing else."""
    assert document.number is not None
    return OutgoingRow(year=document.year, number=document.number,  # type: ignore[attr-defined]  # (annotated)
                       notation=str(document.number), issued_date=document.issued_date, type_and_subject="",
                       signer="", recipients="", kept_by="", copies=None, transferred_at=None, note=_mark(document))


def incoming_rows(printout: RegisterPrintout) -> Iterator[IncomingRow]:
    """The incoming register's rows in number order (year by year).

    Đơn vị hoặc người nhận: the lead unit(s) or person(s) of the leader's direction, or, until there is one,
    the leader the document was presented to. Ngày chuyển: when it was first presented or assigned.
    """
    handed = Prefetch(
        "assignments",
        queryset=Assignment.objects.filter(parent__isnull=True, role__in=[AssignmentRole.PRESENT, AssignmentRole.LEAD])
        .select_related("person", "unit")
        .order_by("created_at", "pk"),
        to_attr="handed",
    )
    documents = _ordered(printout.documents(), INCOMING_FIELDS).prefetch_related(handed)
    for document in documents.iterator(chunk_size=CHUNK):
        if document.secrecy > printout.clearance:
            yield _masked_incoming(document)
            continue
        handed_list: list[Assignment] = getattr(document, "handed", [])
        leads = [a for a in handed_list if a.role == AssignmentRole.LEAD]
        receivers = leads or [a for a in handed_list if a.role == AssignmentRole.PRESENT]
        note = _marks(document)
        if document.status == Status.RETURNED:
            note.append(_("Đã trả lại: %(reason)s") % {"reason": document.return_reason}
                        if document.return_reason else str(Status.RETURNED.label))
        elif document.status == Status.CANCELLED:
            note.append(str(Status.CANCELLED.label))
        elif document.status == Status.VOIDED:
            note.append(_("ĐÃ HỦY: %(reason)s") % {"reason": document.void_reason})
        if document.description:
            note.append(document.description)
        assert document.number is not None
        assert document.arrival_at is not None
        yield IncomingRow(
            year=document.year,  # type: ignore[attr-defined]  # (annotated)
            number=document.number,
            arrival_at=timezone.localtime(document.arrival_at),
            organ_name=document.organ_name,
            notation=document.notation,
            issued_date=document.issued_date,
            type_and_subject=_type_and_subject(document),
            receivers="; ".join(dict.fromkeys(_assignee_text(a) for a in receivers)),
            transferred_at=timezone.localtime(handed_list[0].created_at) if handed_list else None,
            note="; ".join(note),
        )


def _signer_text(document: Document) -> str:
    """'Lê Văn Bình' and, on a second line, 'KT. Tư lệnh, Phó Tư lệnh' (the signing competence)."""
    authority = document.signer_authority
    if authority is not None:
        competence = (f"{authority.prefix} {authority.on_behalf_title}, {authority.title}" if authority.prefix
                      else authority.title)
    else:
        competence = ", ".join(part for part in (document.signer_competence, document.signer_position) if part)
    return "\n".join(part for part in (document.signer_name, competence) if part)


def _kept_by_text(document: Document, archive: list[Recipient]) -> str:
    parts = []
    if document.drafting_unit is not None:
        parts.append(document.drafting_unit.name)
    if document.created_by is not None:
        parts.append(document.created_by.full_name)
    text = " – ".join(parts)
    if archive:
        text += "; " + "; ".join(str(r) for r in archive)
    return text


def outgoing_rows(printout: RegisterPrintout) -> Iterator[OutgoingRow]:
    """The outgoing register's rows in number order (year by year)."""
    recipients = Prefetch("recipients", queryset=Recipient.objects.select_related("unit").order_by("pk"),
                          to_attr="recipient_list")
    replaced_by = Prefetch(
        "replaced_by",
        queryset=Document.objects.filter(number__isnull=False).only("pk", "replaces_id", "code_number",
                                                                   "code_notation").order_by("pk"),
        to_attr="replacements",
    )
    documents = (
        _ordered(printout.documents(), OUTGOING_FIELDS)
        .select_related("drafting_unit", "created_by", "signer_authority", "replaces")
        .prefetch_related(recipients, replaced_by)
    )
    for document in documents.iterator(chunk_size=CHUNK):
        if document.secrecy > printout.clearance:
            yield _masked_outgoing(document)
            continue
        # units of the tree in tree order, then outside bodies as entered
        recipient_list: list[Recipient] = sorted(
            getattr(document, "recipient_list", []), key=lambda r: (r.unit is None, r.unit.path if r.unit else "", r.pk)
        )
        sent = [r for r in recipient_list if r.purpose != Recipient.Purpose.ARCHIVE]
        archive = [r for r in recipient_list if r.purpose == Recipient.Purpose.ARCHIVE]
        note = _marks(document)
        if document.status == Status.RECALLED:
            recalled = _("Đã thu hồi ngày %(day)s") % {"day": day(document.recalled_at)}
            note.append(f"{recalled}: {document.recall_reason}" if document.recall_reason else recalled)
        replacements: list[Document] = getattr(document, "replacements", [])
        if replacements:
            note.append(_("Bị thay thế bởi văn bản số %(n)s") % {"n": ", ".join(d.notation for d in replacements)})
        elif document.status == Status.REPLACED:
            note.append(str(Status.REPLACED.label))
        if document.replaces is not None:
            note.append(_("Thay thế văn bản số %(n)s") % {"n": document.replaces.notation})
        if document.description:
            note.append(document.description)
        assert document.number is not None
        yield OutgoingRow(
            year=document.year,  # type: ignore[attr-defined]  # (annotated)
            number=document.number,
            notation=document.notation,
            issued_date=document.issued_date,
            type_and_subject=_type_and_subject(document),
            signer=_signer_text(document),
            recipients="; ".join(str(r) for r in sent) or document.to_places,
            kept_by=_kept_by_text(document, archive),
            copies=document.issued_amount,
            transferred_at=timezone.localtime(document.issued_at) if document.issued_at else None,
            note="; ".join(note),
        )


def rows(printout: RegisterPrintout) -> Iterator[Row]:
    return incoming_rows(printout) if printout.is_incoming else outgoing_rows(printout)
