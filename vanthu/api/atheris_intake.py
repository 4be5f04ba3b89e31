"""The intake under atheris (libFuzzer's coverage-guided mutation), where atheris installs (Linux x86-64 wheels):
`vanthu fuzz intake --engine atheris` runs this module in a child process, since libFuzzer ends the process
when it is done.

    python -m vanthu.api.atheris_intake CORPUS_DIR -max_total_time=60 -timeout=10 …

Each input goes through the upload check (`uploads.check`, as a PDF or a DOCX by its first bytes) and, when it
is a PDF, the signature validation (`validation.validate_pdf`, offline, nothing trusted). A refusal or a verdict
is the promised outcome; any other exception is a crash, and an input running over `-timeout` seconds a hang:
libFuzzer reports both and writes the input to `crash-…` / `timeout-…` in the working directory.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    import atheris

    with atheris.instrument_imports(include=["pyhanko", "zipfile", "vanthu.documents.hostile"]):
        import zipfile  # noqa: F401

        import pyhanko.pdf_utils.reader  # noqa: F401

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanthu.settings")
    import django

    django.setup()
    from vanthu.core.errors import ActionRefused
    from vanthu.documents import uploads
    from vanthu.signing import validation

    def one_input(data: bytes) -> None:
        name = "du-thao.docx" if data[:2] == b"PK" else "van-ban.pdf"
        try:
            uploads.check(data, name=name, allowed=(uploads.PDF, uploads.DOCX))
        except ActionRefused as refused:
            if not refused.message:
                raise AssertionError("a refusal without a message") from refused
        if data[:1024].lstrip().startswith(b"%PDF-"):
            result = validation.validate_pdf(data, trust_roots=[], allow_fetching=False)
            if not result.valid and not result.problem and not any(s.problems for s in result.signatures):
                raise AssertionError("a verdict without a reason")

    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
