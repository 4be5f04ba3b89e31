"""`vanthu verify FILE.pdf [--trust ROOTS.pem] [--crl FILE]... [--offline] [--json]` — check the signatures of
any PDF.

stdout carries the verdict and nothing else: one block per signature and a last line "Kết luận: …", or with
`--json` one JSON object {"valid": bool, "signatures": [{"signer", "intact", "trusted", "revoked",
"timestamp", "modified_after", "level"}]} (also when the file cannot be read: no signatures, not valid).
Everything said to the person — why the file was not read, that no trust store is configured — goes to
stderr; library log lines and warnings are silenced, and the HTTP session used for OCSP/CRL is closed.

Exit status: 0 every signature is valid; 1 a signature is invalid, untrusted, revoked or followed by a change
that is not permitted; 2 the file (or a --trust/--crl file) is unreadable, or the PDF is not a PDF, corrupt,
encrypted or has no signature.

With `--trust`, only the certificates in ROOTS.pem (PEM or DER) are trusted and the database is not used;
without it, the deployment's trust store is. Revocation: the CRLs given with `--crl` (DER or PEM, repeatable),
what the PDF carries (B-LT), and — unless `--offline` — the OCSP responders and CRLs named in the
certificates, asked over the network (an unreachable one leaves revocation unchecked, it does not fail).
`--offline --crl FILE` checks revocation against the given lists only.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanthu.signing.types import SignatureReport, SigningRefused, ValidationResult

EXIT_VALID, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2
NOT_READ = ValidationResult(valid=False, signatures=[], readable=False)
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


def as_json_dict(result: ValidationResult) -> dict[str, Any]:
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


def read_crls(path: Path) -> list[bytes]:
    """The CRLs of a file (DER, or PEM holding one or more), as DER; SigningRefused when it holds none."""
    from asn1crypto import crl, pem

    data = path.read_bytes()
    blocks = [der for _kind, _headers, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
    try:
        for der in blocks:
            crl.CertificateList.load(der).native  # noqa: B018  (parses it whole: a bad file fails here)
    except (ValueError, TypeError, KeyError) as exc:
        raise SigningRefused(_("Tệp %(path)s không phải danh sách chứng thư bị thu hồi (CRL).")
                             % {"path": path}) from exc
    if not blocks:
        raise SigningRefused(_("Tệp %(path)s không phải danh sách chứng thư bị thu hồi (CRL).") % {"path": path})
    return blocks


@contextlib.contextmanager
def quiet_libraries() -> Iterator[None]:
    """No log line or warning from pyHanko, certvalidator, aiohttp or asyncio reaches the terminal while the
    command runs: what matters is in the verdict. The thread's HTTP session is closed before leaving."""
    from vanthu.signing.runtime import close_thread_runtime

    logging.disable(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                yield
            finally:
                close_thread_runtime()
    finally:
        logging.disable(logging.NOTSET)


class Command(BaseCommand):
    help = ("Verify the digital signatures of a PDF file. stdout: the verdict only (JSON with --json); messages "
            "on stderr. Exit 0 every signature valid, 1 a signature invalid, 2 unreadable or unsigned.")
    requires_system_checks: list[str] = []  # works on any PDF, with or without a configured database

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the PDF file")
        parser.add_argument("--trust", type=Path, help="trust only the root certificates in this PEM/DER file")
        parser.add_argument("--crl", type=Path, action="append", default=[], metavar="FILE",
                            help="a certificate revocation list (DER or PEM) to check against; repeatable")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument("--offline", action="store_true",
                            help="fetch no OCSP response or CRL: use only --crl files and what the PDF carries")

    def handle(self, *args: Any, **options: Any) -> None:
        with quiet_libraries():
            result = self._verify(options)
        self._print_verdict(result, as_json=options["json"])
        sys.exit(exit_code(result))

    def _fail(self, message: str, options: dict[str, Any]) -> NoReturn:
        """A file could not be read: say why on stderr, the verdict (nothing verified) on stdout, exit 2."""
        self.stderr.write(message)
        self._print_verdict(NOT_READ, as_json=options["json"])
        sys.exit(EXIT_UNREADABLE)

    def _verify(self, options: dict[str, Any]) -> ValidationResult:
        from vanthu.signing import pki, validation

        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            self._fail(_("Không đọc được tệp %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror},
                       options)
        roots = None
        if options["trust"] is not None:
            try:
                roots = [pki.to_asn1(c) for c in pki.parse_certificates(options["trust"].read_bytes())]
            except (OSError, SigningRefused) as exc:
                message = exc.message if isinstance(exc, SigningRefused) else str(exc)
                self._fail(_("Không đọc được tệp chứng thư tin cậy: %(reason)s") % {"reason": message}, options)
        crls: list[bytes] = []
        for crl_path in options["crl"]:
            try:
                crls.extend(read_crls(crl_path))
            except (OSError, SigningRefused) as exc:
                message = exc.message if isinstance(exc, SigningRefused) else str(exc)
                self._fail(_("Không đọc được tệp CRL: %(reason)s") % {"reason": message}, options)
        if roots is None:
            try:
                from vanthu.signing import trust

                trust.trust_roots()
            except DatabaseError:
                self.stderr.write(_("Chưa có kho chứng thư tin cậy của hệ thống (cơ sở dữ liệu chưa khởi tạo): không "
                                    "chữ ký nào được tin cậy. Dùng --trust ROOTS.pem để chỉ định chứng thư gốc."))
                roots = []
        result = validation.validate_pdf(data, trust_roots=roots, allow_fetching=not options["offline"],
                                         crls=crls or None)
        if result.problem:
            self.stderr.write(result.problem)
        return result

    def _print_verdict(self, result: ValidationResult, *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(as_json_dict(result), ensure_ascii=False))
            return
        for index, signature in enumerate(result.signatures, start=1):
            self.stdout.write("\n".join(describe(signature, index)))
        if not result.readable:
            verdict = _("không đọc được tệp, không kiểm tra được chữ ký")
        elif not result.signatures:
            verdict = _("tệp không có chữ ký số")
        elif result.valid:
            verdict = _("mọi chữ ký đều hợp lệ")
        else:
            verdict = _("có chữ ký không hợp lệ")
        self.stdout.write(_("Kết luận: %(verdict)s") % {"verdict": verdict})
