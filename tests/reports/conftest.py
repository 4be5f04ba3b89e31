"""Registers to print, filled through the real actions.

`staff_incoming`: the Staff's incoming register of last year (clerk Lan registers five documents between
March and May; one presented to Sơn, one directed by Sơn to the Operations Department) plus one Mật
document, which goes to the Staff's separate secret register.
`issued`: two documents drafted by Quang, signed by Sơn and issued by Lan today (real PAdES signatures),
the second one then recalled, and a draft that is never numbered.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from dataclasses import dataclass

import pytest
from django.utils import timezone

from tests.conftest import checked
from vanthu.core.choices import Secrecy, Urgency
from vanthu.documents import actions as documents
from vanthu.documents.models import Document
from vanthu.org.models import SigningAuthority
from vanthu.org.second_factor_testing import code_for
from vanthu.workflow import actions as workflow

SUBJECTS = [
    "V/v tổ chức diễn tập phòng thủ khu vực",
    "V/v chuẩn bị lực lượng phòng chống lụt bão, tìm kiếm cứu nạn",
    "Về việc ban hành quy chế công tác văn thư, lưu trữ",
    "V/v báo cáo kết quả huấn luyện quý I",
    "V/v kiểm tra công tác sẵn sàng chiến đấu",
]


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 30)))


def register(cast, doc_types, pdf: bytes, *, subject: str, arrival: dt.datetime, unit=None, clerk=None,
             **extra) -> Document:
    data = documents.IncomingData(
        doc_type=doc_types["Công văn"], organ_name=extra.pop("organ_name", "Bộ Tổng Tham mưu"), subject=subject,
        code_number=extra.pop("code_number", "15"), code_notation=extra.pop("code_notation", "BTTM-TC"),
        issued_date=arrival.date() - dt.timedelta(days=2), **extra,
    )
    return documents.register_incoming(unit=unit or cast.staff, acting=clerk or cast.lan, data=data,
                                       file=checked(pdf), arrival_at=arrival)


@dataclass
class StaffIncoming:
    year: int
    docs: list[Document]
    secret: Document


@pytest.fixture
def staff_incoming(cast, doc_types, incoming_pdf) -> StaffIncoming:
    year = timezone.localdate().year - 1
    docs = []
    for i, subject in enumerate(SUBJECTS):
        docs.append(register(cast, doc_types, incoming_pdf, subject=subject,
                             arrival=at(dt.date(year, 3 + i // 2, 10 + i)), code_number=str(20 + i),
                             urgency=Urgency.URGENT if i == 1 else Urgency.NORMAL,
                             description="Kèm bản giấy" if i == 4 else ""))
    workflow.present(document=docs[0], acting=cast.lan, to=cast.son, note="Kính trình Tham mưu trưởng")
    workflow.present(document=docs[1], acting=cast.lan, to=cast.son)
    workflow.direct(document=docs[1], acting=cast.son, text="Phòng Tác chiến chủ trì, báo cáo kết quả.",
                    lead=cast.operations)
    secret = register(cast, doc_types, incoming_pdf, subject="V/v kế hoạch bảo đảm bí mật",
                      arrival=at(dt.date(year, 4, 2)), secrecy=Secrecy.CONFIDENTIAL)
    return StaffIncoming(year=year, docs=docs, secret=secret)


def draft(cast, doc_types, pdf: bytes, *, subject: str, amount: int = 5) -> Document:
    data = documents.DraftData(doc_type=doc_types["KH"], subject=subject, issued_amount=amount,
                               recipient_units=[cast.division, cast.province],
                               recipient_names=["Bộ Chỉ huy Quân sự tỉnh B"])
    return documents.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff,
                                  data=data, file=checked(pdf, "du-thao.pdf"))


@dataclass
class Issued:
    docs: list[Document]
    draft: Document


@pytest.fixture
def issued(cast, doc_types, draft_pdf, settings) -> Issued:
    from vanthu.signing.testing import SIGNING_SECRET, equip_cast

    settings.KEY_SCRYPT_LOG2N = 10  # the same key derivation, cheaper for tests
    equip_cast(cast, people=["son"], units=["staff"])
    authority = SigningAuthority.objects.get(person=cast.son)
    docs = []
    for subject, amount in (("Kế hoạch huấn luyện năm 2027", 6), ("Kế hoạch diễn tập tác chiến phòng thủ", 4)):
        doc = draft(cast, doc_types, draft_pdf, subject=subject, amount=amount)
        documents.submit_for_review(document=doc, acting=cast.quang, signer_authority=authority)
        documents.sign_outgoing(document=doc, acting=cast.son, secret=SIGNING_SECRET, otp=code_for(cast.son))
        docs.append(documents.issue_outgoing(document=doc, acting=cast.lan, secret=SIGNING_SECRET,
                                             otp=code_for(cast.lan)))
    documents.recall_outgoing(document=docs[1], acting=cast.lan, reason="Sai nơi nhận")
    never = draft(cast, doc_types, draft_pdf, subject="Kế hoạch chưa ký")
    return Issued(docs=[Document.objects.get(pk=d.pk) for d in docs], draft=never)


def pdf_fonts(data: bytes, tmp_path) -> list[list[str]]:
    """The rows of `pdffonts` (poppler): name, type, encoding, emb, sub, uni, object id."""
    path = tmp_path / "register.pdf"
    path.write_bytes(data)
    out = subprocess.run([shutil.which("pdffonts") or "pdffonts", str(path)], check=True, capture_output=True,
                         text=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def pdf_text(data: bytes, tmp_path) -> str:
    """The text in content order (`pdftotext -raw`): the lines of a cell stay together."""
    path = tmp_path / "register.pdf"
    path.write_bytes(data)
    return subprocess.run([shutil.which("pdftotext") or "pdftotext", "-raw", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
