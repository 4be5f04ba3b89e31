"""The pieces of `vanthu bench signing` (run by vanthu/demo/bench_signing.py, which brings the sample
documents): a PKI built in memory (`make_pki`, also used by tests), vanthu's issuance and verification, and
the same done with plain pyHanko as its documentation shows. No database is used."""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from vanthu.signing import pades, pades_engine, pki, validation
from vanthu.signing.cached_signer import CachedKeySigner
from vanthu.signing.credentials import Credential
from vanthu.signing.service import SignatureBlock

BLOCK = SignatureBlock(competence="KT. THAM MƯU TRƯỞNG", title="PHÓ THAM MƯU TRƯỞNG", name_line="Đại tá Hoàng Văn Sơn")
NUMBER = "Số: 12/KH-TM"
DATE = "Đà Nẵng, ngày 05 tháng 3 năm 2026"


@dataclass
class BenchPki:
    root: asn1_x509.Certificate
    person: Credential
    unit: Credential
    plain_person: signers.SimpleSigner
    plain_unit: signers.SimpleSigner
    timestamper: TimeStamper
    signature_png: bytes
    seal_png: bytes


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Bộ Tư lệnh Quân khu (bench)"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_pki(algorithm: str = "rsa") -> BenchPki:
    """A throwaway chain in memory: root → issuing CA → person, unit, TSA."""
    from vanthu.signing import testing, tsa, tsa_stamper

    root_key = pki.generate_key(algorithm)
    root = pki.build_ca(subject=_name("Bench Root CA"), key=root_key, issuer=None)
    issuing_key = pki.generate_key(algorithm)
    issuing = pki.build_ca(subject=_name("Bench Issuing CA"), key=issuing_key,
                           issuer=pki.Issuer(certificate=root, key=root_key, slug="bench-root"), path_length=0)
    issuer = pki.Issuer(certificate=issuing, key=issuing_key, slug="bench-issuing")
    chain = [pki.to_asn1(issuing), pki.to_asn1(root)]

    def end_entity(name: str, purpose: str = "signing") -> tuple[asn1_x509.Certificate, pki.PrivateKey]:
        key = pki.generate_key(algorithm)
        return pki.to_asn1(pki.build_end_entity(subject=_name(name), public_key=key.public_key(), issuer=issuer,
                                                purpose=purpose)), key

    def credential(name: str, image: bytes) -> tuple[Credential, signers.SimpleSigner]:
        cert, key = end_entity(name)
        signer = CachedKeySigner(signing_cert=cert, key=key, chain=chain[:1])
        credential = Credential(kind="software", certificate=cert, chain=chain, signer=signer,
                                key_algorithm=algorithm, owner_label=name, image_png=image)
        key_info = asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        plain = signers.SimpleSigner(signing_cert=cert, signing_key=key_info,
                                     cert_registry=SimpleCertificateStore.from_certs(chain))
        return credential, plain

    signature_png = testing.signature_png("Hoàng Văn Sơn")
    seal_png = testing.seal_png("Bộ Tham mưu")
    person, plain_person = credential("Hoàng Văn Sơn", signature_png)
    unit, plain_unit = credential("Bộ Tham mưu", seal_png)
    tsa_cert, tsa_key = end_entity("Bench TSA", "tsa")
    timestamper = tsa_stamper.BuiltinTimeStamper(
        tsa.LoadedAuthority(certificate=tsa_cert, key=tsa_key, chain=chain[:1]))
    return BenchPki(root=pki.to_asn1(root), person=person, unit=unit, plain_person=plain_person,
                    plain_unit=plain_unit, timestamper=timestamper, signature_png=signature_png, seal_png=seal_png)


# --- the two flows ---------------------------------------------------------------------------------------


def vanthu_issue(pdf: bytes, bench: BenchPki, level: str) -> bytes:
    found = pades_engine.Services(level=level, timestamper=bench.timestamper if level != "B-B" else None)
    signed = pades.sign_personal_with(pdf, credential=bench.person, block=BLOCK, reason="Phê duyệt",
                                      found_services=found, size_mm=(35.0, 14.0))
    return pades.seal_issued_with(signed, credential=bench.unit, number_text=NUMBER, date_text=DATE,
                                  found_services=found, size_mm=(38.0, 38.0), trust_roots=[bench.root])


def vanthu_verify(pdf: bytes, bench: BenchPki) -> bool:
    return validation.validate_pdf(pdf, trust_roots=[bench.root], allow_fetching=False).valid


def _plain_style(png: bytes) -> TextStampStyle:
    from PIL import Image

    return TextStampStyle(stamp_text="%(signer)s\n%(ts)s", background=PdfImage(Image.open(io.BytesIO(png))))


def plain_issue(pdf: bytes, bench: BenchPki, level: str) -> bytes:
    timestamper = bench.timestamper if level != "B-B" else None
    out = pdf
    for name, signer, png, box in (
        ("Signature1", bench.plain_person, bench.signature_png, (360, 420, 500, 470)),
        ("Signature2", bench.plain_unit, bench.seal_png, (300, 400, 410, 500)),
    ):
        meta = signers.PdfSignatureMetadata(field_name=name, subfilter=fields.SigSeedSubFilter.PADES,
                                            md_algorithm="sha256")
        pdf_signer = signers.PdfSigner(meta, signer=signer, timestamper=timestamper, stamp_style=_plain_style(png),
                                       new_field_spec=fields.SigFieldSpec(name, on_page=-1, box=box))
        out = pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(out))).getvalue()
    return out


def plain_verify(pdf: bytes, bench: BenchPki) -> bool:
    reader = PdfFileReader(io.BytesIO(pdf))
    return all(validate_pdf_signature(sig, ValidationContext(trust_roots=[bench.root])).bottom_line
               for sig in reader.embedded_signatures)


# --- measuring -------------------------------------------------------------------------------------------


@dataclass
class Timing:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def add(self, run: Callable[[], object]) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        self.cpu.append(time.process_time() - cpu)
        self.wall.append(time.perf_counter() - wall)

    @property
    def wall_ms(self) -> float:
        return statistics.median(self.wall) * 1000

    @property
    def cpu_ms(self) -> float:
        return statistics.median(self.cpu) * 1000
