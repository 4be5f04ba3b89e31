"""The exchange hub's list of agencies, as bytes in and rows out (an adapter: no ORM, no action).

The shape is the VNPT national axis's (`getAgenciesListQD20`): a JSON list of objects with `code` (the QĐ 20/2020
electronic identifier), `code102` (the QCVN 102:2016 organ id), `name`, and optionally `pcode` (the parent's
code) and `status` (1/0, true/false, "active"/"inactive"). The axis wraps it as `{"data": [...]}` at times; a
vanthu deployment acting as the military hub answers `{"format": "vanthu-agencies/1", "agencies": [...]}` with
the same objects (`encode`). `parse` accepts the three.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

FORMAT = "vanthu-agencies/1"
MAX_ROWS = 100_000
INACTIVE = {"0", "false", "inactive", "deactive", "disabled", "off", "ngừng", "ngung"}


class ListInvalid(ValueError):
    pass


@dataclass(frozen=True)
class HubAgency:
    line: int  # position in the list, from 1 (for messages)
    name: str
    code: str = ""  # QCVN 102
    code_qd20: str = ""
    parent: str = ""
    active: bool = True


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _active(value: object) -> bool:
    if value is None or value == "":
        return True
    return _text(value).lower() not in INACTIVE


def parse(data: bytes) -> list[HubAgency]:
    """The rows of a hub's list (ListInvalid when it is not one: not JSON, not a list of objects)."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ListInvalid("not UTF-8 JSON") from exc
    items = document
    if isinstance(document, dict):
        items = document.get("agencies", document.get("data"))
    if not isinstance(items, list):
        raise ListInvalid('expected a list of agencies (or {"data": [...]})')
    if len(items) > MAX_ROWS:
        raise ListInvalid(f"more than {MAX_ROWS} agencies")
    rows = []
    for line, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ListInvalid(f"item {line} is not an object")
        rows.append(
            HubAgency(
                line=line,
                name=_text(item.get("name")),
                code=_text(item.get("code102")),
                code_qd20=_text(item.get("code")),
                parent=_text(item.get("pcode", item.get("parent", ""))),
                active=_active(item.get("status")),
            )
        )
    return rows


def encode(rows: Iterable[HubAgency]) -> bytes:
    """What a vanthu hub serves at `GET /exchange/v1/agencies`: the VNPT objects in vanthu's wrapper."""
    items = [
        {"code": r.code_qd20, "code102": r.code, "name": r.name, "pcode": r.parent, "status": 1 if r.active else 0}
        for r in rows
    ]
    return json.dumps({"format": FORMAT, "agencies": items}, ensure_ascii=False).encode("utf-8")
