"""Run inside the loopback deployment (`vanthu shell -c`, see vanthu/demo/loopback.py): the fixed characters and a
registered document with a PDF — what the loopback test needs, in seconds (the full demo takes minutes)."""

from __future__ import annotations

import json
import sys

from vanthu.demo.characters import build_cast
from vanthu.demo.pdfs import sample_incoming
from vanthu.documents import actions
from vanthu.documents.models import DocumentType
from vanthu.documents.uploads import check


def seed() -> None:
    """The cast, and an incoming document the Staff's clerk Lan registered: prints its id and SHA-256."""
    cast = build_cast()
    pdf = sample_incoming()
    document = actions.register_incoming(
        unit=cast.staff, acting=cast.lan,
        data=actions.IncomingData(doc_type=DocumentType.objects.get(name="Công văn"), organ_name="Bộ Tổng Tham mưu",
                                  subject="V/v trực sẵn sàng chiến đấu"),
        file=check(pdf, name="van-ban.pdf"))
    sys.stdout.write(json.dumps({"id": document.pk, "sha256": document.current_file_id}) + "\n")
