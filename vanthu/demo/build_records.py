"""The demo's work records (issue 10): for the Staff (Bộ Tham mưu) and the Command's office, last year's records
catalogue (approved, published) whose records were filed and closed — some listed for the archive, one transfer
already accepted by the Command's archive —, and this year's catalogue copied forward from it, approved, with
open records holding some of the year's documents. All through the records' actions, after the documents exist.
"""

from __future__ import annotations

import random
from typing import Any

from django.utils import timezone

from vanthu.documents.models import Document, Status
from vanthu.org.models import Person, Unit
from vanthu.records import actions, catalogue_actions, transfer_actions
from vanthu.records.models import Catalogue

FILED = (Status.REGISTERED, Status.PRESENTED, Status.DIRECTED, Status.IN_PROGRESS, Status.DONE, Status.ISSUED)

# (heading, [(code, title, retention years or None for permanent, suggested types, keywords)])
PLAN: list[tuple[str, list[tuple[str, str, int | None, list[str], str]]]] = [
    ("I. Công tác tác chiến, huấn luyện", [
        ("01.TC", "Hồ sơ kế hoạch huấn luyện năm", 20, ["KH"], "huấn luyện kế hoạch"),
        ("02.TC", "Hồ sơ diễn tập khu vực phòng thủ", None, ["QĐ", "KH"], "diễn tập phòng thủ"),
        ("03.TC", "Hồ sơ trực sẵn sàng chiến đấu", 10, ["Công văn"], "trực sẵn sàng chiến đấu"),
    ]),
    ("II. Công tác chính trị, hậu cần, kỹ thuật", [
        ("04.CT", "Hồ sơ thi đua, khen thưởng", None, ["QĐ"], "khen thưởng thi đua"),
        ("05.HC", "Hồ sơ bảo đảm hậu cần, kỹ thuật", 10, ["Công văn", "BC"], "hậu cần kỹ thuật bảo đảm"),
        ("06.VP", "Hồ sơ công văn trao đổi thường xuyên", 5, ["Công văn"], "báo cáo đề nghị"),
        ("07.VP", "Hồ sơ giấy mời, thông báo", 2, ["GM", "TB"], "mời thông báo"),
    ]),
]


def _catalogue(unit: Unit, year: int, clerk: Person, head: Person) -> Catalogue:
    cat = catalogue_actions.create_catalogue(unit=unit, year=year, acting=clerk, copy_previous=False)
    for heading_title, entries in PLAN:
        heading = catalogue_actions.add_heading(catalogue=cat, title=heading_title, acting=clerk)
        for code, title, years, types, words in entries:
            catalogue_actions.add_entry(catalogue=cat, code=code, title=title, retention_years=years,
                                        responsible=clerk, heading=heading, suggest_types=types, suggest_words=words,
                                        acting=clerk)
    catalogue_actions.approve_catalogue(catalogue=cat, acting=head)
    return catalogue_actions.publish_catalogue(catalogue=cat, acting=clerk)


def _documents(unit: Unit) -> list[Document]:
    return list(Document.objects.filter(unit=unit, status__in=FILED).order_by("pk"))


def build(org_: Any, rng: random.Random) -> dict[str, int]:
    """Catalogues, records and one accepted transfer; returns counts for the summary."""
    cast = org_.cast
    year = timezone.localdate().year
    counts = {"catalogues": 0, "records": 0, "filed": 0, "closed": 0, "transferred": 0}
    for unit, clerk, head in ((cast.staff, cast.lan, cast.son), (cast.command, cast.hoa, cast.hung)):
        docs = _documents(unit)
        rng.shuffle(docs)
        last = _catalogue(unit, year - 1, clerk, head)
        this = catalogue_actions.create_catalogue(unit=unit, year=year, acting=clerk)  # copied forward
        catalogue_actions.approve_catalogue(catalogue=this, acting=head)
        counts["catalogues"] += 2
        old_docs, new_docs = docs[: len(docs) // 3], docs[len(docs) // 3:]
        closed = []
        for n, entry in enumerate(last.entries.order_by("ordinal")):
            record = actions.open_record(entry=entry, acting=clerk)
            counts["records"] += 1
            share = old_docs[n::7][:12]
            for doc in share:
                actions.file_document(record=record, document=doc, acting=clerk)
                counts["filed"] += 1
            if share:
                closed.append(actions.close_record(record=record, acting=clerk))
                counts["closed"] += 1
        for n, entry in enumerate(this.entries.order_by("ordinal")[:5]):
            record = actions.open_record(entry=entry, acting=clerk)
            counts["records"] += 1
            for doc in new_docs[n::5][:15]:
                actions.file_document(record=record, document=doc, acting=clerk)
                counts["filed"] += 1
        if unit == cast.command and closed:
            transfer = transfer_actions.submit_transfer(unit=unit, year=year - 1, acting=clerk,
                                                        record_ids=[r.pk for r in closed[:2]
                                                                    if r.retention_years is None
                                                                    or r.retention_years >= 5] or None)
            transfer_actions.accept_transfer(transfer=transfer, acting=cast.hoa)
            counts["transferred"] += transfer.records.count()
    return counts
