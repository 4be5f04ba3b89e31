"""The catalogue (danh mục hồ sơ, Decree 30 Điều 28): draft it (or copy last year's forward), add headings and
entries, have the head of the unit approve it, publish it. Every action checks the acting person's right,
writes one audit event, and refuses with a translated message leaving nothing changed."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.actors import SystemActor
from vanthu.core.errors import ActionRefused
from vanthu.org.access import person_or_none
from vanthu.org.models import Person, Unit
from vanthu.records import checks
from vanthu.records.access import can_keep_records, serves_in
from vanthu.records.models import Catalogue, CatalogueEntry, CatalogueState, Heading, RecordKind

Actor = Person | SystemActor


def _keeper(acting: Actor, unit: Unit, target: object = None) -> None:
    if acting is None:
        raise checks.forbidden(target)
    if isinstance(acting, SystemActor):
        return
    if not acting.is_active or not can_keep_records(acting, unit):
        raise checks.forbidden(target)


def _leader(acting: Actor, unit: Unit, target: object = None) -> None:
    from vanthu.org.queries import scope_of

    if isinstance(acting, SystemActor):
        return
    if acting is None or not acting.is_active or not scope_of(acting).leads(unit):
        raise ActionRefused(_("Chỉ thủ trưởng đơn vị được duyệt danh mục hồ sơ."), code="forbidden", status=403,
                            target=target)


@action("records.catalogue.created")
def create_catalogue(*, unit: Unit, year: int, acting: Actor, copy_previous: bool = True) -> Catalogue:
    """A draft catalogue for `unit` and `year`; with copy_previous, last year's (the latest earlier one) headings
    and entries copied forward as a start (ad hoc entries too: they were real records last year)."""
    _keeper(acting, unit)
    checks.year(year)
    if Catalogue.objects.filter(unit=unit, year=year).exists():
        raise ActionRefused(_("Đơn vị đã có danh mục hồ sơ năm %(year)d.") % {"year": year}, code="exists",
                            field="year")
    previous = (Catalogue.objects.filter(unit=unit, year__lt=year).order_by("-year").first()
                if copy_previous else None)
    try:
        with transaction.atomic():
            catalogue = Catalogue.objects.create(unit=unit, year=year, copied_from=previous,
                                                 created_by=person_or_none(acting))
    except IntegrityError as exc:
        raise ActionRefused(_("Đơn vị đã có danh mục hồ sơ năm %(year)d.") % {"year": year}, code="exists",
                            field="year") from exc
    copied = 0
    if previous is not None:
        headings: dict[int, Heading] = {}
        for old in previous.headings.all():
            headings[old.pk] = Heading.objects.create(catalogue=catalogue, ordinal=old.ordinal, code=old.code,
                                                      title=old.title)
        for entry in previous.entries.select_related("responsible").all():
            responsible = entry.responsible
            if responsible is not None and not serves_in(responsible, unit):
                responsible = None
            CatalogueEntry.objects.create(
                catalogue=catalogue, heading=headings.get(entry.heading_id) if entry.heading_id else None,
                ordinal=entry.ordinal, code=entry.code, title=entry.title, retention_years=entry.retention_years,
                responsible=responsible, note=entry.note, suggest_types=entry.suggest_types,
                suggest_words=entry.suggest_words, kind=entry.kind)
            copied += 1
    log.record(actor=acting, verb="records.catalogue.created", target=catalogue, unit=unit,
               data={"year": year, "copied_from": previous.pk if previous else None, "entries": copied})
    return catalogue


def _editable(catalogue: Catalogue) -> Catalogue:
    catalogue = Catalogue.objects.select_for_update().select_related("unit").get(pk=catalogue.pk)
    if catalogue.state != CatalogueState.DRAFT:
        raise ActionRefused(_("Danh mục đã được duyệt; hồ sơ ngoài danh mục được thêm khi mở hồ sơ."),
                            code="not_draft", target=catalogue)
    return catalogue


@action("records.heading.added")
def add_heading(*, catalogue: Catalogue, title: str, code: str = "", acting: Actor) -> Heading:
    _keeper(acting, catalogue.unit, catalogue)
    catalogue = _editable(catalogue)
    clean = checks.title(title, limit=300, target=catalogue)
    last = catalogue.headings.aggregate(m=Max("ordinal"))["m"] or 0
    heading = Heading.objects.create(catalogue=catalogue, ordinal=last + 1, code=(code or "").strip()[:10],
                                     title=clean)
    log.record(actor=acting, verb="records.heading.added", target=catalogue, unit=catalogue.unit,
               data={"heading": heading.pk, "title": clean})
    return heading


def new_entry(*, catalogue: Catalogue, code: str, title: str, retention_years: int | None,
              responsible: Person | None, heading: Heading | None = None, note: str = "",
              suggest_types: Sequence[str] = (), suggest_words: str = "", ad_hoc: bool = False,
              kind: str = RecordKind.GENERAL) -> CatalogueEntry:
    """The checks and the row of a new entry (inside an action that has checked the right)."""
    clean_code = checks.code(code, target=catalogue)
    clean_title = checks.title(title, target=catalogue)
    years = checks.retention(retention_years, target=catalogue)
    if kind not in RecordKind.values:
        raise ActionRefused(_("Loại hồ sơ không hợp lệ."), code="invalid", field="kind", target=catalogue)
    if heading is not None and heading.catalogue_id != catalogue.pk:
        raise ActionRefused(_("Đề mục không thuộc danh mục này."), code="invalid", field="heading", target=catalogue)
    if responsible is not None and not serves_in(responsible, catalogue.unit):
        raise ActionRefused(_("Người lập hồ sơ phải là cán bộ đang công tác tại đơn vị."), code="outside_unit",
                            field="responsible", target=catalogue)
    if catalogue.entries.filter(code=clean_code).exists():
        raise ActionRefused(_("Danh mục đã có hồ sơ số “%(code)s”.") % {"code": clean_code}, code="duplicate",
                            field="code", target=catalogue)
    last = catalogue.entries.aggregate(m=Max("ordinal"))["m"] or 0
    return CatalogueEntry.objects.create(
        catalogue=catalogue, heading=heading, ordinal=last + 1, code=clean_code, title=clean_title,
        retention_years=years, responsible=responsible, note=(note or "")[:500], ad_hoc=ad_hoc, kind=kind,
        suggest_types=[str(t)[:10] for t in suggest_types][:10], suggest_words=(suggest_words or "")[:300])


@action("records.entry.added")
def add_entry(*, catalogue: Catalogue, code: str, title: str, retention_years: int | None,
              responsible: Person | None = None, heading: Heading | None = None, note: str = "",
              suggest_types: Sequence[str] = (), suggest_words: str = "", acting: Actor,
              kind: str = RecordKind.GENERAL) -> CatalogueEntry:
    """One line of a draft catalogue; `kind` CONSTRUCTION gives its records the construction records' time to the
    archive (3 months after the final settlement, Điều 30.1)."""
    _keeper(acting, catalogue.unit, catalogue)
    catalogue = _editable(catalogue)
    entry = new_entry(catalogue=catalogue, code=code, title=title, retention_years=retention_years,
                      responsible=responsible, heading=heading, note=note, suggest_types=suggest_types,
                      suggest_words=suggest_words, kind=kind)
    log.record(actor=acting, verb="records.entry.added", target=catalogue, unit=catalogue.unit,
               data={"entry": entry.pk, "code": entry.code, "retention_years": entry.retention_years,
                     "kind": entry.kind})
    return entry


@action("records.catalogue.approved")
def approve_catalogue(*, catalogue: Catalogue, acting: Actor) -> Catalogue:
    """The head of the unit (a leader of it or above it) approves a draft catalogue that has entries."""
    catalogue = Catalogue.objects.select_for_update().select_related("unit").get(pk=catalogue.pk)
    _leader(acting, catalogue.unit, catalogue)
    if catalogue.state != CatalogueState.DRAFT:
        raise ActionRefused(_("Danh mục đã được duyệt."), code="not_draft", target=catalogue)
    if not catalogue.entries.exists():
        raise ActionRefused(_("Danh mục chưa có hồ sơ nào."), code="empty", target=catalogue)
    catalogue.state = CatalogueState.APPROVED
    catalogue.approved_by = person_or_none(acting)
    catalogue.approved_at = timezone.now()
    catalogue.save(update_fields=["state", "approved_by", "approved_at"])
    log.record(actor=acting, verb="records.catalogue.approved", target=catalogue, unit=catalogue.unit)
    return catalogue


@action("records.catalogue.published")
def publish_catalogue(*, catalogue: Catalogue, acting: Actor) -> Catalogue:
    catalogue = Catalogue.objects.select_for_update().select_related("unit").get(pk=catalogue.pk)
    _keeper(acting, catalogue.unit, catalogue)
    if catalogue.state != CatalogueState.APPROVED:
        raise ActionRefused(_("Chỉ ban hành danh mục đã được thủ trưởng duyệt."), code="not_approved",
                            target=catalogue)
    catalogue.state = CatalogueState.PUBLISHED
    catalogue.published_at = timezone.now()
    catalogue.save(update_fields=["state", "published_at"])
    log.record(actor=acting, verb="records.catalogue.published", target=catalogue, unit=catalogue.unit)
    return catalogue
