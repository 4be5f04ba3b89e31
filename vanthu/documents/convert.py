"""DOCX → PDF through LibreOffice headless (Debian's libreoffice-writer-nogui), Vietnamese fonts kept.

The approver and the signer read and sign the converted PDF; the DOCX is kept as the draft's source.

Each conversion runs `settings.LIBREOFFICE --headless --convert-to pdf` in its own temporary directory with
its own LibreOffice profile (`-env:UserInstallation=file:///…`), so conversions never share state and can
run side by side; the process is killed after `timeout` seconds. Fonts are embedded by LibreOffice's PDF
export (subsets of what the document uses); Times New Roman is rendered with its metric-compatible
Liberation Serif (Debian fonts-liberation2), which has every Vietnamese glyph.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

TIMEOUT_SECONDS = 120
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class ConversionFailed(Exception):
    """The DOCX could not be converted; `message` says why, in Vietnamese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def docx_to_pdf(data: bytes, *, name: str, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """Convert a DOCX file's bytes to PDF bytes; ConversionFailed with a Vietnamese reason otherwise. A zip bomb
    (decision 0024) is refused before LibreOffice starts, also for a file stored before that check existed."""
    from vanthu.core.errors import ActionRefused
    from vanthu.documents import hostile

    try:
        hostile.check_archive(data, name=name)
    except ActionRefused as refused:
        raise ConversionFailed(refused.message) from None
    binary = shutil.which(settings.LIBREOFFICE) or settings.LIBREOFFICE
    if not Path(binary).exists():
        raise ConversionFailed(_("Máy chủ chưa cài LibreOffice nên chưa chuyển được tệp DOCX sang PDF. Báo quản "
                                 "trị chạy scripts/install-system-deps, hoặc tải lên bản PDF."))
    stem = SAFE_NAME.sub("_", Path(name).stem)[:80] or "van-ban"
    with tempfile.TemporaryDirectory(prefix="vanthu-convert-") as work:
        folder = Path(work)
        source = folder / f"{stem}.docx"
        source.write_bytes(data)
        profile = folder / "profile"
        command = [
            binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nolockcheck",
            "--nodefault", "--nofirststartwizard", "--convert-to", "pdf:writer_pdf_Export", "--outdir",
            str(folder / "out"), str(source),
        ]
        environment = {**os.environ, "HOME": str(folder), "LANG": "C.UTF-8"}
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=folder,
                                   env=environment, start_new_session=True)
        try:
            _stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(process)
            raise ConversionFailed(_("Chuyển tệp DOCX sang PDF quá %(seconds)d giây nên đã dừng. Hãy kiểm tra tệp "
                                     "hoặc tải lên bản PDF.") % {"seconds": int(timeout)}) from None
        result = folder / "out" / f"{stem}.pdf"
        if process.returncode != 0 or not result.exists() or result.stat().st_size == 0:
            detail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise ConversionFailed(_("Không chuyển được tệp DOCX sang PDF (tệp hỏng hoặc không phải văn bản Word). "
                                     "%(detail)s") % {"detail": detail[0][:200]})
        return result.read_bytes()
