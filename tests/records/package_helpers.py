"""Synthetic records for the package adapter's tests and the CLI's: real signed PDFs (an in-memory PKI with a
TSA, signing/bench.make_pki), no database."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from asn1crypto import pem

from vanthu.records.package import model, seal, writer
from vanthu.signing import pades, pades_engine, validation
from vanthu.signing.bench import DATE, NUMBER, BenchPki
from vanthu.signing.service import SignatureBlock

BLOCK = SignatureBlock(competence="KT. THAM MƯU TRƯỞNG", title="PHÓ THAM MƯU TRƯỞNG", name_line="Đại tá Hoàng Văn Sơn")


def issued_pdf(chain: BenchPki, *, level: str = "B-T") -> bytes:
    from vanthu.demo.pdfs import sample_draft

    found = pades_engine.Services(level=level, timestamper=chain.timestamper if level != "B-B" else None)
    signed = pades.sign_personal_with(sample_draft(), credential=chain.person, block=BLOCK, found_services=found)
    return pades.seal_issued_with(signed, credential=chain.unit, number_text=NUMBER, date_text=DATE,
                                  found_services=found, trust_roots=[chain.root])


def record_source(pdfs: list[bytes], *, secret_mark: str = "") -> model.RecordSource:
    record = model.RecordMetadata(organ_id="000.00.01.H01", file_catalog=2026, file_notation="05.TM",
                                  title="Hồ sơ kế hoạch huấn luyện năm 2026", maintenance="Vĩnh viễn",
                                  rights="Hạn chế", creator="Trần Thị Lan", start_date=dt.date(2026, 1, 5),
                                  end_date=dt.date(2026, 3, 5), doc_total=len(pdfs) + 1, page_total=3)
    documents = [
        model.DocumentSource(
            metadata=model.DocumentMetadata(doc_ordinal=i, type_name="Kế hoạch", code_number=str(10 + i),
                                            code_notation="KH-TM", issued_date=dt.date(2026, 3, 5),
                                            organ_id="000.00.01.H01", organ_name="Bộ Tham mưu",
                                            subject=f"Kế hoạch huấn luyện đợt {i}", page_amount=1,
                                            signer=model.Signer(position="Phó Tham mưu trưởng",
                                                                full_name="Hoàng Văn Sơn"),
                                            to=(("000.00.02.H01", "Sư đoàn 2"),),
                                            secrecy=secret_mark if i == 1 else ""),
            files=(model.FileSource(name=f"Kế hoạch {i}.pdf", open=_opener(pdf)),))
        for i, pdf in enumerate(pdfs, start=1)
    ]
    documents.append(model.DocumentSource(
        metadata=model.DocumentMetadata(doc_ordinal=len(pdfs) + 1, type_name="Tài liệu khác", direction="other",
                                        subject="Bảng số liệu"),
        files=(model.FileSource(name="bang so lieu.csv", open=_opener(b"a,b\n1,2\n" * 1000), kind="other"),)))
    history = [model.HistoryEvent(at=dt.datetime(2026, 1, 5, 8, tzinfo=dt.UTC), actor="Trần Thị Lan",
                                  verb="records.record.opened", target="05.TM")]
    return model.RecordSource(metadata=record, documents=documents, history=history, unit_name="Bộ Tham mưu")


def _opener(data: bytes) -> Callable[[], io.BytesIO]:
    return lambda: io.BytesIO(data)


def roots_pem(chain: BenchPki) -> bytes:
    return bytes(pem.armor("CERTIFICATE", chain.root.dump()))


def write_package(chain: BenchPki, out: Path, pdfs: list[bytes], *, timestamp: bool = True) -> writer.Written:
    def validate(pdf: bytes) -> dict[str, object]:
        return validation.report_dict(validation.validate_pdf(pdf, trust_roots=[chain.root]))

    signer = chain.unit.signer
    assert signer is not None
    return writer.write(record_source(pdfs), out=out, roots_pem=roots_pem(chain), validate=validate,
                        seal=lambda data: seal.sign(data, signer=signer,
                                                    timestamper=chain.timestamper if timestamp else None))


def rewrite(path: Path, change: Callable[[dict[str, bytes]], None]) -> None:
    """Rewrite the ZIP at `path` with `change` applied to its {name: bytes}."""
    with zipfile.ZipFile(path) as archive:
        members = {i.filename: archive.read(i) for i in archive.infolist()}
    change(members)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def flip_one_byte(data: bytes) -> bytes:
    """The PDF with one byte of its content changed (inside the signed range)."""
    at = data.index(b"stream") + 20
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]
