"""Small helpers shared by the PKI/back-end tests: sign a PDF with pyHanko directly, validate it."""

from __future__ import annotations

from io import BytesIO

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature

from vanthu.signing import trust


def sign(pdf: bytes, signer, *, timestamper=None, validation_context=None, embed_validation_info=False) -> bytes:
    meta = signers.PdfSignatureMetadata(
        field_name="Sig1", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        embed_validation_info=embed_validation_info, validation_context=validation_context)
    out = signers.sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf)), meta, signer=signer, timestamper=timestamper)
    return out.getvalue()


def status_of(pdf: bytes, *, allow_fetching: bool = False, revocation_mode: str | None = None, dss: bool = False):
    reader = PdfFileReader(BytesIO(pdf))
    embedded = reader.embedded_signatures[0]
    if dss:
        context = trust.dss_validation_context(reader, revocation_mode=revocation_mode)
    else:
        context = trust.validation_context(allow_fetching=allow_fetching, revocation_mode=revocation_mode)
    return validate_pdf_signature(embedded, context)
