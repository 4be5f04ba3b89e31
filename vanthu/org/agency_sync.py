"""The directory of outside agencies kept in step with the exchange hub's list (checklist point 47).

`sync_agencies(rows=…, acting=…)` applies a hub's list (`org.agency_list.parse`): an agency the hub lists is
added, or its name and both codes updated (matched on its QĐ 20 identifier, else its QCVN 102 code, else its
name); an agency the hub listed before and no longer lists (or lists as inactive) is deactivated — never
deleted, documents name it. Units of this deployment's own tree in the list are left out (they are units, not
outside agencies). Two agencies of one name (the national list has many "Ủy ban nhân dân xã …") keep the name
with their code in brackets, and so does a listed name an agency the list does not rename keeps; an agency the list
renames gives its name up, so two agencies that swap names take each other's (in two phases: the names given up
are first replaced by temporary ones, since the name is unique). All rows or none; applying the same list twice
changes nothing the second time.

Where the list comes from is not this app's business: the file of `vanthu agencies sync --from FILE`, or a
peer of the exchange (`--peer NAME`, the daily job), which the exchange registers here (`register_source`):
org sits below exchange and never imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.errors import ActionRefused
from vanthu.org.access import Actor, require_admin_of_all
from vanthu.org.agency_actions import check_codes, folded
from vanthu.org.agency_list import HubAgency
from vanthu.org.models import Agency, Unit

NAME_MAX = 200  # Agency.name's max_length
PeerSource = Callable[[str], list[HubAgency]]  # a peer's name → its list (raises ActionRefused or OSError)
_sources: list[PeerSource] = []


def register_source(source: PeerSource) -> None:
    """Where `--peer NAME` and the daily job read a list (the exchange registers it in its ready())."""
    _sources[:] = [source]


def rows_from_peer(name: str) -> list[HubAgency]:
    if not _sources:
        raise ActionRefused(_("Chưa có kênh liên thông để lấy danh sách cơ quan."), code="no_source")
    return _sources[0](name)


@dataclass(frozen=True)
class SyncResult:
    added: int
    updated: int
    deactivated: int
    unchanged: int
    own_units: int  # rows naming a unit of this deployment, left out

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _check(rows: Sequence[HubAgency]) -> None:
    seen: set[str] = set()
    for row in rows:
        where = {"line": row.line}
        if not row.name:
            raise ActionRefused(_("Dòng %(line)s: thiếu tên cơ quan.") % where, code="name_required")
        if len(row.name) > 180:
            raise ActionRefused(_("Dòng %(line)s: tên cơ quan dài quá mức cho phép.") % where, code="too_long")
        if not (row.code or row.code_qd20):
            raise ActionRefused(
                _("Dòng %(line)s: cơ quan “%(name)s” không có mã định danh nào.")
                % {"line": row.line, "name": row.name},
                code="code_required",
            )
        check_codes(code=row.code, code_qd20=row.code_qd20, line=row.line)
        for key in (f"qd20:{row.code_qd20}" if row.code_qd20 else "", f"102:{row.code}" if row.code else ""):
            if key and key in seen:
                raise ActionRefused(
                    _("Dòng %(line)s: mã định danh %(code)s lặp lại trong danh sách.")
                    % {"line": row.line, "code": key.split(":", 1)[1]},
                    code="duplicate_row",
                )
            seen.add(key)


def _own(rows: Sequence[HubAgency]) -> set[int]:
    """The lines that name a unit of this deployment (by either code)."""
    units = Unit.objects.values_list("code", "code_qd20")  # the tree: hundreds of rows; the list: tens of thousands
    ours = {c for pair in units for c in pair if c}
    return {r.line for r in rows if (r.code and r.code in ours) or (r.code_qd20 and r.code_qd20 in ours)}


def _match(
    row: HubAgency, by_qd20: dict[str, Agency], by_code: dict[str, Agency], by_name: dict[str, Agency], taken: set[int]
) -> Agency | None:
    for found in (by_qd20.get(row.code_qd20) if row.code_qd20 else None, by_code.get(row.code) if row.code else None):
        if found is not None and found.pk not in taken:
            return found
    found = by_name.get(row.name)  # by name only one whose codes do not say it is another agency
    if found is None or found.pk in taken or (found.code_qd20 and found.code_qd20 != row.code_qd20):
        return None
    return found if not (found.code and row.code and found.code != row.code) else None


def _final_name(
    row: HubAgency, found: Agency | None, *, names: dict[str, int], by_name: dict[str, Agency], renamed: set[int]
) -> str:
    """The name `row`'s agency will bear: the listed name, or with its code in brackets when another row has the
    same name or an agency this list does not rename keeps it. An agency the list renames gives its name up (two
    agencies that swap names take each other's, without brackets)."""
    holder = by_name.get(row.name)
    kept_by_another = holder is not None and holder is not found and holder.pk not in renamed
    if names[row.name] == 1 and not kept_by_another:
        return row.name
    code = row.code or row.code_qd20
    return f"{row.name[: NAME_MAX - len(code) - 3]} ({code})"


def _refuse_clashes(final: Sequence[tuple[HubAgency, Agency | None, str]], agencies: Sequence[Agency],
                    renamed: set[int]) -> None:
    """No two agencies may end with one name (a name in brackets may be one already taken): refused naming the
    line, before anything is written."""
    staying = {a.name for a in agencies if a.pk not in renamed}  # the names no row of the list changes
    seen: set[str] = set()
    for row, _found, name in final:
        if name in staying or name in seen:
            raise ActionRefused(
                _("Dòng %(line)s: tên “%(name)s” đã có cơ quan khác dùng.") % {"line": row.line, "name": name},
                code="name_taken",
            )
        seen.add(name)


def _vacate(final: Sequence[tuple[HubAgency, Agency | None, str]], agencies: Sequence[Agency]) -> None:
    """Phase one of the renames: an agency whose name another row takes (two agencies that swap names, a chain
    of renames) first gets a temporary name that nothing holds or takes, so that no write of phase two meets the
    unique name still held. Only the rows are written: the objects keep their names for the comparison after."""
    wanted = {name: found.pk if found is not None else None for _row, found, name in final}
    taken = {a.name for a in agencies} | set(wanted)
    for agency in agencies:
        if agency.name in wanted and wanted[agency.name] != agency.pk:
            n = 0
            while (temporary := f"~{agency.pk}.{n}~") in taken:
                n += 1
            taken.add(temporary)
            Agency.objects.filter(pk=agency.pk).update(name=temporary)


@action("org.agencies.synced")
def sync_agencies(*, rows: Sequence[HubAgency], acting: Actor, source: str = "") -> SyncResult:
    """Apply the hub's list `rows` to the directory (see the module docstring); one audit event with the counts."""
    require_admin_of_all(acting)
    _check(rows)
    own = _own(rows)
    listed = [r for r in rows if r.line not in own]
    agencies = list(Agency.objects.all())
    by_qd20 = {a.code_qd20: a for a in agencies if a.code_qd20}
    by_code = {a.code: a for a in agencies if a.code}
    by_name = {a.name: a for a in agencies}
    names: dict[str, int] = {}
    for row in listed:  # inactive rows too: a namesake's status does not rename the other
        names[row.name] = names.get(row.name, 0) + 1
    taken: set[int] = set()
    plans: list[tuple[HubAgency, Agency | None]] = []
    for row in listed:
        found = _match(row, by_qd20, by_code, by_name, taken)
        if found is not None:
            taken.add(found.pk)
        plans.append((row, found))
    renamed = {found.pk for row, found in plans if row.active and found is not None}
    final = [(row, found, _final_name(row, found, names=names, by_name=by_name, renamed=renamed))
             for row, found in plans if row.active]
    _refuse_clashes(final, agencies, renamed)
    _vacate(final, agencies)
    updated = unchanged = 0
    kept: set[int] = set()
    new: list[Agency] = []
    for row, found, name in final:
        if found is None:
            new.append(
                Agency(
                    name=name,
                    code=row.code,
                    code_qd20=row.code_qd20,
                    from_hub=True,
                    folded=folded(name, "", row.code, row.code_qd20),
                )
            )
            continue
        kept.add(found.pk)
        before = (found.name, found.code, found.code_qd20, found.is_active, found.from_hub)
        found.name, found.code, found.code_qd20 = name, row.code, row.code_qd20
        found.is_active = found.from_hub = True
        if before == (found.name, found.code, found.code_qd20, found.is_active, found.from_hub):
            unchanged += 1
            continue
        found.folded = folded(found.name, found.short_name, found.code, found.code_qd20)
        found.save(update_fields=["name", "code", "code_qd20", "is_active", "from_hub", "folded"])
        updated += 1
    vanished = sorted(set(Agency.objects.filter(from_hub=True, is_active=True).values_list("pk", flat=True)) - kept)
    for start in range(0, len(vanished), 500):
        Agency.objects.filter(pk__in=vanished[start : start + 500]).update(is_active=False)
    deactivated = len(vanished)
    Agency.objects.bulk_create(new, batch_size=500)  # after the vanished are counted: the new are not among them
    added = len(new)
    result = SyncResult(added=added, updated=updated, deactivated=deactivated, unchanged=unchanged, own_units=len(own))
    log.record(
        actor=acting,
        verb="org.agencies.synced",
        target=None,
        data={**result.as_dict(), "rows": len(rows), "source": source[:200]},
    )
    return result
