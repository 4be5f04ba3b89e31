"""Run inside the loopback deployment (`vanthu shell -c`, see vanthu/demo/bench_deploy.py): the pages of the fixed
mix, and a large signed PDF to download. Each function prints JSON."""

from __future__ import annotations

import io
import json
import os
import sys

from django.urls import reverse

from vanthu.documents import actions
from vanthu.documents.access import documents_visible_to
from vanthu.documents.models import DocumentType
from vanthu.documents.uploads import check
from vanthu.org.models import Person, Unit
from vanthu.signing import service


def page_mix() -> None:
    """A clerk's (hoa) and a commander's (hung) pages: inbox, registers or "my work", and documents they see."""
    mix: dict[str, list[str]] = {}
    for username, pages in (("hoa", ["inbox", "incoming_register", "outgoing_register"]),
                            ("hung", ["inbox", "my_work", "incoming_register"])):
        person = Person.objects.get(user__username=username)
        documents = list(documents_visible_to(person).order_by("-pk").values_list("pk", flat=True)[:4])
        mix[username] = [reverse(name) for name in pages] + [reverse("document_detail", args=[pk])
                                                             for pk in documents]
    sys.stdout.write(json.dumps(mix) + "\n")


def big_signed_document(megabytes: int) -> None:
    """A PDF of about `megabytes` MB (pages of incompressible images), sealed by the Command's key, registered as
    an incoming document of the Command: prints its id and SHA-256."""
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    per_image = 1024 * 1024
    for index in range(max(1, megabytes)):
        noise = Image.frombytes("RGB", (592, 592), os.urandom(592 * 592 * 3))
        page.drawImage(ImageReader(noise), 40, 200, width=515, height=515)
        page.drawString(40, 780, f"vanthu bench deploy — trang {index + 1}")
        page.showPage()
        if buffer.tell() > megabytes * per_image:
            break
    page.save()
    unit = Unit.objects.get(depth=0)
    sealed = service.seal_text_only(pdf=buffer.getvalue(), unit=unit, lines=["vanthu bench deploy"], secret=None)
    clerk = Person.objects.filter(roles__unit=unit, roles__role="clerk").first()
    assert clerk is not None, "the demo's top unit has a clerk"
    doc_type = DocumentType.objects.get(name="Công văn")
    document = actions.register_incoming(
        unit=unit, acting=clerk,
        data=actions.IncomingData(doc_type=doc_type, organ_name="Bộ Tổng Tham mưu",
                                  subject="V/v tệp lớn cho bench deploy"),
        file=check(sealed, name="tep-lon.pdf"))
    sys.stdout.write(json.dumps({"id": document.pk, "sha256": document.current_file_id, "bytes": len(sealed)}) + "\n")


def link_reads(document_id: int, since: float) -> None:
    """How many reads of the document served from a signed link the audit chain holds from `since` (a Unix time)
    on: recorded by the workers' job or by `vanthu files record-reads`, whichever came first."""
    from datetime import UTC, datetime

    from vanthu.audit import reads
    from vanthu.audit.models import AuditEvent

    count = AuditEvent.objects.filter(
        verb=reads.DOWNLOADED, target_type="documents.document", target_id=str(document_id),
        at__gte=datetime.fromtimestamp(since, tz=UTC), data__via__startswith="link-").count()
    sys.stdout.write(json.dumps({"reads": count}) + "\n")
