"""A demo-like world for the backup tests: the fixed characters, units that issue signed documents to each
other through the real actions (numbered in their registers, sealed, delivered on arrival), and the audit
events all of it wrote."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vanthu.audit.models import AuditEvent
from vanthu.core.models import StoredFile
from vanthu.demo import bench_issuing as bench
from vanthu.documents import actions
from vanthu.documents.models import FROZEN, Document, Register
from vanthu.org.models import Person
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET


@dataclass
class World:
    issued: list[int]  # the documents issued (each signed by a person and sealed by its unit)


def build() -> World:
    from vanthu.demo.characters import build_cast

    build_cast()
    org = bench.build_org(pairs=1, secret=SIGNING_SECRET)
    a, b = org.pairs[0]
    plan = [(a, b.unit_id, 2), (b, a.unit_id, 1), (org.hub, org.sink_id, 1)]
    issued = []
    for kit, to, count in plan:
        clerk = Person.objects.get(pk=kit.clerk_id)
        for pk in bench.signed_documents(kit, to_unit_id=to, count=count, secret=SIGNING_SECRET):
            actions.issue_outgoing(document=Document.objects.get(pk=pk), acting=clerk, secret=SIGNING_SECRET,
                                   otp=code_for(clerk))
            issued.append(pk)
    return World(issued=issued)


def state() -> dict[str, Any]:
    """What must come back identical: every register's counter, every document's number, every stored file,
    every audit event's chain, sequence and hash."""
    return {
        "registers": [list(r) for r in Register.objects.order_by("pk").values_list("pk", "year", "last_number")],
        "numbers": [list(r) for r in Document.objects.order_by("pk").values_list("pk", "register_id", "number")],
        "files": sorted(StoredFile.objects.values_list("sha256", flat=True)),
        "audit": [list(r) for r in AuditEvent.objects.order_by("pk").values_list("pk", "chain", "seq", "hash")],
        "signed": Document.objects.filter(status__in=FROZEN, current_file__isnull=False).count(),
    }


QUERIES = {
    "registers": "SELECT id, year, last_number FROM documents_register ORDER BY id",
    "numbers": "SELECT id, register_id, number FROM documents_document ORDER BY id",
    "files": "SELECT sha256 FROM core_storedfile ORDER BY sha256",
    "audit": "SELECT id, chain, seq, hash FROM audit_auditevent ORDER BY id",
}


def restored_state(url: str) -> dict[str, Any]:
    """The same, read straight from the restored database (not through this process's Django)."""
    rows: dict[str, Any] = {}
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            for key, sql in QUERIES.items():
                rows[key] = [list(r) for r in db.execute(sql).fetchall()]
    else:
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://")) as db:
            for key, sql in QUERIES.items():
                rows[key] = [list(r) for r in db.execute(sql).fetchall()]
    rows["files"] = [r[0] for r in rows["files"]]
    return rows


def files_on_disk(files_dir: Path) -> dict[str, bool]:
    """Every file under a store's directory: does its content hash to its name?"""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() == p.name for p in files_dir.glob("??/??/*")}


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
