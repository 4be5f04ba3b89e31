"""Fixtures for the edXML adapter: a unit's key and certificate, and a document from the fixed characters.

The adapter never touches the database, so most tests here need none: the envelope carries the names and
organ ids of the fixed characters (vanthu/demo/characters.py) as data — the Staff (Bộ Tham mưu, 000.00.02.Q10,
Tham mưu trưởng Hoàng Văn Sơn) writes to Division 301 (000.00.10.Q10) and the Provincial Military Command A.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from vanthu.exchange.edxml import (
    Attachment,
    Business,
    Code,
    DocumentId,
    DocumentType,
    Envelope,
    MessageHeader,
    Organization,
    OtherInfo,
    PromulgationInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusCode,
    StatusMessage,
    TraceHeader,
)

SAMPLES = Path(__file__).parent / "samples"
ISSUED = dt.date(2026, 11, 20)
TODAY = dt.date(2026, 11, 21)

STAFF = Organization(organ_id="000.00.02.Q10", organ_name="Bộ Tham mưu",
                     organization_in_charge="Bộ Tư lệnh Quân khu 10", address="Đà Nẵng",
                     email="vanthu.tm@qk10.example", telephone="0236 3820000")
DIVISION = Organization(organ_id="000.00.10.Q10", organ_name="Sư đoàn 301",
                        organization_in_charge="Bộ Tư lệnh Quân khu 10")
PROVINCE = Organization(organ_id="000.00.11.Q10", organ_name="Bộ Chỉ huy Quân sự tỉnh A")


@dataclass
class UnitKey:
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate


def _unit_key(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, name: str) -> UnitKey:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Bộ Tư lệnh Quân khu 10")])
    now = dt.datetime.now(dt.UTC)
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
                   .sign(key, hashes.SHA256()))
    return UnitKey(key=key, certificate=certificate)


@pytest.fixture(scope="session")
def staff_key() -> UnitKey:
    """The Staff's seal key (RSA-2048) with a self-signed certificate: trust is not the adapter's business."""
    return _unit_key(rsa.generate_private_key(public_exponent=65537, key_size=2048), "Bộ Tham mưu")


@pytest.fixture(scope="session")
def staff_ec_key() -> UnitKey:
    return _unit_key(ec.generate_private_key(ec.SECP256R1()), "Bộ Tham mưu")


def pdf_bytes() -> bytes:
    return (b"%PDF-1.7\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")


def zip_bytes(members: dict[str, bytes]) -> bytes:
    """The same members give the same bytes: each entry carries a fixed time, not the clock's second."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 2, 8, 0, 0)), data)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def document(**changes: object) -> Envelope:
    """Kế hoạch 12/KH-TM of the Staff to Division 301 and the Provincial Military Command A, with its PDF."""
    header = MessageHeader(
        from_=STAFF, to=(DIVISION, PROVINCE),
        document_id=str(DocumentId(organ_id=STAFF.organ_id, date=ISSUED, number="12", notation="KH-TM")),
        code=Code(number="12", notation="KH-TM"),
        promulgation=PromulgationInfo(place="Đà Nẵng", date=ISSUED),
        document_type=DocumentType(type=1, type_name="Kế hoạch"),
        subject="Kế hoạch huấn luyện dự bị động viên năm 2027",
        content="Kế hoạch huấn luyện dự bị động viên năm 2027",
        signer=SignerInfo(competence="", position="Tham mưu trưởng", full_name="Hoàng Văn Sơn"),
        due_date=dt.date(2026, 12, 15),
        other=OtherInfo(priority=1, sphere_of_promulgation="Nội bộ Quân khu", typer_notation="QTM",
                        promulgation_amount=5, page_amount=3, appendixes=("Phụ lục I: Chỉ tiêu huấn luyện",)),
        steering_type=1, to_places=("Sư đoàn 301", "Bộ CHQS tỉnh A", "Lưu: VT, TC"),
    )
    header_changes = {k: v for k, v in changes.items() if k in MessageHeader.__dataclass_fields__}
    if header_changes:
        header = MessageHeader(**{**header.__dict__, **header_changes})
    envelope = Envelope(
        header=header,
        trace=(TraceHeader(organ_id=STAFF.organ_id, timestamp=dt.datetime(2026, 11, 20, 9, 30)),),
        business=Business(staff=StaffInfo(department="Văn thư Bộ Tham mưu", staff="Nguyễn Thị Lan",
                                          email="lan@qk10.example")),
        attachments=(Attachment(content_id="cid:12-KH-TM.pdf", name="12-KH-TM.pdf", content_type="application/pdf",
                                description="Kế hoạch (bản ký số)", data=pdf_bytes()),),
    )
    envelope_changes = {k: v for k, v in changes.items() if k in Envelope.__dataclass_fields__}
    return Envelope(**{**envelope.__dict__, **envelope_changes}) if envelope_changes else envelope


def status(code: StatusCode = StatusCode.ARRIVED, description: str = "Văn thư Sư đoàn 301: Đã đến") -> StatusMessage:
    """Division 301 answers the Staff's plan 12/KH-TM."""
    return StatusMessage(
        from_=DIVISION,
        response_for=ResponseFor(organ_id=STAFF.organ_id, code="12/KH-TM", promulgation_date=ISSUED,
                                 document_id=f"{STAFF.organ_id},2026/11/20,12/KH-TM"),
        code=code, description=description, timestamp=dt.datetime(2026, 11, 20, 10, 5, 0),
        staff=StaffInfo(department="Văn thư Sư đoàn", staff="Đỗ Văn Minh"),
    )


@pytest.fixture
def seals():
    """Each unit's exchange seal opened with the test secret, none remembered from another test."""
    from django.test import override_settings

    from vanthu.exchange import sealing
    from vanthu.signing.testing import SIGNING_SECRET

    sealing.forget()
    with override_settings(EXCHANGE_SEAL_SECRET=SIGNING_SECRET):
        yield
    sealing.forget()


@pytest.fixture
def enqueued(monkeypatch) -> list[int]:
    """The delivery jobs enqueued, by message id (the test's transaction never commits: they are only listed)."""
    from vanthu import jobs

    found: list[int] = []
    real = jobs.enqueue_on_commit

    def listed(job, *args, **kwargs):
        if job == "vanthu.documents.jobs.deliver":
            found.append(args[0])
            return None
        return real(job, *args, **kwargs)

    monkeypatch.setattr(jobs, "enqueue_on_commit", listed)
    return found
