"""`vanthu verify FILE.pdf [--trust ROOTS.pem] [--json] [--offline]` — check the signatures of any PDF.

Exit status: 0 every signature is valid; 1 a signature is invalid, untrusted, revoked or followed by a change
that is not permitted; 2 the file is unreadable (not a PDF, corrupt, encrypted) or has no signature.

With `--trust`, only the certificates in ROOTS.pem (PEM or DER) are trusted and the database is not used;
without it, the deployment's trust store is. OCSP responders and CRLs named in the certificates are asked
over the network unless `--offline` (an unreachable one leaves revocation unchecked, it does not fail).
`--json` prints {"valid": bool, "signatures": [{"signer", "intact", "trusted", "revoked", "timestamp",
"modified_after", "level"}]}.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanthu.signing.types import SignatureReport, SigningRefused, ValidationResult

EXIT_VALID, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2
KINDS = {
    "personal": gettext_lazy("chữ ký cá nhân"),
    "organisation": gettext_lazy("chữ ký số của cơ quan, tổ chức"),
    "timestamp": gettext_lazy("dấu thời gian lưu trữ"),
    "unknown": gettext_lazy("chữ ký số (không rõ của cá nhân hay cơ quan)"),
}
MODIFICATIONS = {
    "none": gettext_lazy("không có"),
    "form_filling": gettext_lazy("điền số, ngày / ký tiếp (được phép)"),
    "annotations": gettext_lazy("thêm chú thích (không được phép)"),
    "other": gettext_lazy("sửa đổi nội dung (không được phép)"),
}


def exit_code(result: ValidationResult) -> int:
    if not result.readable or not result.signatures:
        return EXIT_UNREADABLE
    return EXIT_VALID if result.valid else EXIT_INVALID


def as_json(result: ValidationResult) -> dict[str, Any]:
    return {
        "valid": result.valid,
        "signatures": [
            {
                "signer": s.signer,
                "intact": s.intact,
                "trusted": s.trusted,
                "revoked": s.revoked,
                "timestamp": s.timestamp.isoformat() if s.timestamp else None,
                "modified_after": s.modified_after,
                "level": s.level,
            }
            for s in result.signatures
        ],
    }


def _yes(value: bool) -> str:
    return _("có") if value else _("không")


def describe(signature: SignatureReport, index: int) -> list[str]:
    lines = [
        _("Chữ ký %(n)d: %(signer)s — %(verdict)s")
        % {"n": index, "signer": signature.signer or "?",
           "verdict": _("HỢP LỆ") if signature.valid else _("KHÔNG HỢP LỆ")},
        "  " + _("Loại: %(kind)s; mức: PAdES %(level)s")
        % {"kind": str(KINDS.get(signature.kind, signature.kind)), "level": signature.level},
        "  " + _("Toàn vẹn: %(intact)s; tin cậy: %(trusted)s; bị thu hồi: %(revoked)s")
        % {"intact": _yes(signature.intact), "trusted": _yes(signature.trusted), "revoked": _yes(signature.revoked)},
    ]
    if signature.signing_time:
        lines.append("  " + _("Thời gian ký (người ký khai): %(t)s") % {"t": signature.signing_time.isoformat()})
    if signature.timestamp:
        lines.append("  " + _("Dấu thời gian: %(t)s") % {"t": signature.timestamp.isoformat()})
    lines.append("  " + _("Thay đổi sau khi ký: %(m)s")
                 % {"m": str(MODIFICATIONS.get(signature.modified_after, signature.modified_after))})
    lines.extend("  - " + problem for problem in signature.problems)
    return lines


class Command(BaseCommand):
    help = "Verify the digital signatures of a PDF file (exit 0 valid, 1 invalid, 2 unreadable or unsigned)."
    requires_system_checks: list[str] = []  # works on any PDF, with or without a configured database

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the PDF file")
        parser.add_argument("--trust", type=Path, help="trust only the root certificates in this PEM/DER file")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument("--offline", action="store_true", help="do not fetch OCSP responses or CRLs")

    def handle(self, *args: Any, **options: Any) -> None:
        from vanthu.signing import pki, validation

        # pyHanko logs each refused change and each unbuildable path with a traceback; the verdict below says it
        # in one line.
        logging.getLogger("pyhanko").setLevel(logging.ERROR)

        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.stderr.write(_("Không đọc được tệp %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror})
            sys.exit(EXIT_UNREADABLE)
        roots = None
        if options["trust"] is not None:
            try:
                roots = [pki.to_asn1(c) for c in pki.parse_certificates(options["trust"].read_bytes())]
            except (OSError, SigningRefused) as exc:
                message = exc.message if isinstance(exc, SigningRefused) else str(exc)
                self.stderr.write(_("Không đọc được tệp chứng thư tin cậy: %(reason)s") % {"reason": message})
                sys.exit(EXIT_UNREADABLE)
        if roots is None:
            try:
                from vanthu.signing import trust

                trust.trust_roots()
            except DatabaseError:
                self.stderr.write(_("Chưa có kho chứng thư tin cậy của hệ thống (cơ sở dữ liệu chưa khởi tạo): không "
                                    "chữ ký nào được tin cậy. Dùng --trust ROOTS.pem để chỉ định chứng thư gốc."))
                roots = []
        result = validation.validate_pdf(data, trust_roots=roots, allow_fetching=not options["offline"])
        if options["json"]:
            self.stdout.write(json.dumps(as_json(result), ensure_ascii=False))
        else:
            if result.problem:
                self.stdout.write(result.problem)
            for index, signature in enumerate(result.signatures, start=1):
                self.stdout.write("\n".join(describe(signature, index)))
            if result.signatures:
                self.stdout.write(_("Kết luận: %(verdict)s") % {
                    "verdict": _("mọi chữ ký đều hợp lệ") if result.valid else _("có chữ ký không hợp lệ")})
        if result.problem and options["json"]:
            self.stderr.write(result.problem)
        sys.exit(exit_code(result))
