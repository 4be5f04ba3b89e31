"""DOCX → PDF through LibreOffice headless (Debian's libreoffice-writer-nogui), Vietnamese fonts kept.

The approver and the signer read and sign the converted PDF; the DOCX is kept as the draft's source.
"""

from __future__ import annotations


class ConversionFailed(Exception):
    pass


def docx_to_pdf(data: bytes, *, name: str) -> bytes:
    raise ConversionFailed("DOCX conversion is not available yet")
