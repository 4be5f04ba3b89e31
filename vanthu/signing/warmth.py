"""What the first validation or signature in a process would otherwise do inside a request: import pyHanko's
signing and validation stack, fontTools and the fetchers, and read vanthu's own serif files (their character maps
and glyph tables, read again by every check of a filled number or date field, decision 0045). Called once when
an app server process starts (vanthu/wsgi.py): a pre-forked worker that is new — started, or replaced after
`--max-requests` — then answers its first exchange request as a worker that has run a while. No database."""

from __future__ import annotations

import contextlib
import importlib

MODULES = (
    "pyhanko.sign.general", "pyhanko.sign.signers", "pyhanko.sign.validation", "pyhanko.sign.validation.dss",
    "pyhanko.sign.diff_analysis", "pyhanko.sign.diff_analysis.policies", "pyhanko.pdf_utils.metadata.xmp_xml",
    "pyhanko_certvalidator", "pyhanko_certvalidator.fetchers.aiohttp_fetchers", "fontTools.ttLib",
    "fontTools.subset", "fontTools.agl", "pyhanko.pdf_utils.filters", "_strptime",
    "vanthu.signing.validation", "vanthu.signing.long_term", "vanthu.signing.registration", "vanthu.signing.fields",
)


def warm() -> None:
    for name in MODULES:
        importlib.import_module(name)
    from vanthu.core import fonts
    from vanthu.signing import appearance, fieldtext

    for path in fonts.serif_files():
        with contextlib.suppress(Exception):  # a font that does not read is met (and said) where it is used
            appearance.face(path)
            fieldtext.warm_font(path)
