"""`vanthu edxml inspect FILE [--json] [--require-signature] [--max-mb N]` — what an edXML message says.

Prints what was parsed (from and to, code, promulgation, type, subject, priority, due date, signer, business
type, the status and the document it answers, attachments with size and SHA-256, the signature's verdict) on
stdout — JSON with --json —, and the reasons and warnings on stderr.

Exit status: 0 the message is valid (its signature, when it has one, verifies); 2 the message is invalid
(not safe XML, not edXML, a field breaks a length or code set, or the signature does not verify; with
--require-signature, also an unsigned message); 1 any other error (the file cannot be read).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from vanthu.core.choices import Urgency
from vanthu.exchange.edxml import EnvelopeInvalid, Parsed, SignatureCheck, parse, verify
from vanthu.exchange.edxml.model import Organization, ResponseFor
from vanthu.org.identifiers import known_forms

EXIT_VALID, EXIT_ERROR, EXIT_INVALID = 0, 1, 2


def _org(org: Organization) -> dict[str, str]:
    return {"organ_id": org.organ_id, "name": org.organ_name or org.organization_in_charge}


def _date(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _answers(response: ResponseFor) -> dict[str, Any]:
    return {"organ_id": response.organ_id, "code": response.code, "document_id": response.document_id,
            "promulgation_date": _date(response.promulgation_date)}


def _signature(check: SignatureCheck | None) -> dict[str, Any] | None:
    if check is None:
        return None
    return {"present": check.present, "valid": check.valid, "algorithm": check.algorithm_name,
            "digest_algorithm": check.digest_algorithm.rsplit("#", 1)[-1], "sha1": check.sha1,
            "signer": check.signer, "warning": check.warning, "reason": check.reason}


def as_json(parsed: Parsed | None, check: SignatureCheck | None, errors: list[dict[str, str]],
            valid: bool) -> dict[str, Any]:
    result: dict[str, Any] = {"valid": valid, "errors": errors, "signature": _signature(check)}
    if parsed is None:
        return result
    result.update({"kind": parsed.kind, "namespace": parsed.namespace, "warnings": list(parsed.warnings)})
    if parsed.status is not None:
        s = parsed.status
        result.update({
            "from": _org(s.from_), "to": [_org(o) for o in s.to],
            "status": {"code": s.code.value, "label": str(s.code.label), "description": s.description,
                       "timestamp": s.timestamp.isoformat(), "answers": _answers(s.response_for),
                       "staff": s.staff.staff if s.staff else ""},
        })
        return result
    assert parsed.envelope is not None
    e = parsed.envelope
    h = e.header
    priority = h.other.priority
    result.update({
        "from": _org(h.from_), "to": [_org(o) for o in h.to],
        "document_id": h.document_id,
        "code": {"number": h.code.number, "notation": h.code.notation},
        "promulgation": {"place": h.promulgation.place, "date": _date(h.promulgation.date)},
        "document_type": {"type": h.document_type.type, "name": h.document_type.type_name},
        "subject": h.subject,
        "priority": {"code": priority, "label": str(Urgency(priority).label) if priority in Urgency.values else ""},
        "due_date": _date(h.due_date),
        "signer": {"competence": h.signer.competence, "position": h.signer.position,
                   "full_name": h.signer.full_name},
        "steering_type": h.steering_type,
        "response_for": [_answers(r) for r in h.response_for],
        "business": None if e.business is None else {
            "type": int(e.business.doc_type), "label": str(e.business.doc_type.label), "reason": e.business.reason,
            "document_id": e.business.document_id, "spelling": e.business.spelling},
        "attachments": [{"name": a.name, "content_id": a.content_id, "content_type": a.content_type,
                         "kind": a.kind, "size": a.size, "sha256": a.sha256} for a in e.attachments],
    })
    return result


def describe(data: dict[str, Any]) -> list[str]:
    """The human-readable lines of `as_json`'s result."""
    lines: list[str] = []

    def org(o: dict[str, str]) -> str:
        return f"{o['organ_id']} — {o['name']}" if o["name"] else o["organ_id"]

    if "from" in data:
        lines.append(_("Loại gói tin: %(kind)s") % {
            "kind": _("trạng thái xử lý") if data["kind"] == "status" else _("văn bản")})
        lines.append(_("Nơi gửi: %(org)s") % {"org": org(data["from"])})
        lines.extend(_("Nơi nhận: %(org)s") % {"org": org(o)} for o in data["to"])
        for organ_id, k in data.get("known_organs", {}).items():
            lines.append(_("Mã định danh của %(name)s (%(organ)s): QCVN 102 %(code)s; QĐ 20/2020 %(qd20)s")
                         % {"name": k["name"], "organ": organ_id, "code": k["code"] or "?",
                            "qd20": k["code_qd20"] or "?"})
    if data.get("kind") == "status":
        s = data["status"]
        lines.append(_("Trạng thái: %(code)s %(label)s") % {"code": s["code"], "label": s["label"]})
        if s["description"]:
            lines.append(_("Mô tả: %(text)s") % {"text": s["description"]})
        lines.append(_("Thời điểm: %(t)s") % {"t": s["timestamp"]})
        a = s["answers"]
        lines.append(_("Trả lời cho văn bản: %(code)s của %(organ)s, ngày %(date)s (mã %(id)s)")
                     % {"code": a["code"], "organ": a["organ_id"], "date": a["promulgation_date"] or "?",
                        "id": a["document_id"]})
    elif "from" in data:
        lines.append(_("Mã văn bản: %(id)s") % {"id": data["document_id"]})
        lines.append(_("Số, ký hiệu: %(number)s/%(notation)s") % data["code"])
        lines.append(_("Nơi, ngày ban hành: %(place)s, %(date)s")
                     % {"place": data["promulgation"]["place"], "date": data["promulgation"]["date"] or "?"})
        lines.append(_("Loại văn bản: %(name)s (mã %(type)s)") % data["document_type"])
        lines.append(_("Trích yếu: %(subject)s") % {"subject": data["subject"]})
        lines.append(_("Độ khẩn: %(code)s %(label)s") % data["priority"])
        if data["due_date"]:
            lines.append(_("Hạn xử lý: %(date)s") % {"date": data["due_date"]})
        signer = data["signer"]
        lines.append(_("Người ký: %(text)s") % {
            "text": " — ".join(x for x in (signer["competence"], signer["position"], signer["full_name"]) if x)})
        if data["business"] is not None:
            b = data["business"]
            reason = f" — {b['reason']}" if b["reason"] else ""
            lines.append(_("Nghiệp vụ: %(type)s %(label)s%(reason)s")
                         % {"type": b["type"], "label": b["label"], "reason": reason})
        for a in data["attachments"]:
            lines.append(_("Tệp đính kèm: %(name)s (%(type)s, nhận dạng %(kind)s), %(size)d byte, SHA-256 %(sha)s")
                         % {"name": a["name"], "type": a["content_type"], "kind": a["kind"], "size": a["size"],
                            "sha": a["sha256"]})
    sig = data["signature"]
    if sig is not None:
        if not sig["present"]:
            lines.append(_("Chữ ký số: không có"))
        else:
            lines.append(_("Chữ ký số: %(verdict)s; thuật toán %(alg)s; người ký %(signer)s") % {
                "verdict": _("HỢP LỆ") if sig["valid"] else _("KHÔNG HỢP LỆ"), "alg": sig["algorithm"] or "?",
                "signer": sig["signer"] or "?"})
    lines.append(_("Kết luận: %(verdict)s") % {
        "verdict": _("gói tin hợp lệ") if data["valid"] else _("gói tin KHÔNG hợp lệ")})
    return lines


class Command(BaseCommand):
    help = ("edXML tools: `inspect FILE` prints what an edXML message says "
            "(exit 0 valid, 2 invalid envelope or signature, 1 other errors).")
    requires_system_checks: list[str] = []  # reads a file; no database needed

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["inspect"])
        parser.add_argument("file", type=Path, help="the edXML file")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument("--require-signature", action="store_true", help="an unsigned message is invalid")
        parser.add_argument("--max-mb", type=int, default=80, help="refuse files larger than this (MiB)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.stderr.write(_("Không đọc được tệp %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror})
            sys.exit(EXIT_ERROR)
        max_bytes = options["max_mb"] * 1024 * 1024
        parsed: Parsed | None = None
        errors: list[dict[str, str]] = []
        try:
            parsed = parse(data, max_bytes=max_bytes)
        except EnvelopeInvalid as exc:
            errors = [{"field": p.field, "code": p.code, "message": p.message} for p in exc.problems]
        check: SignatureCheck | None = None
        if not errors or errors[0]["code"] not in ("too_large", "not_xml", "dtd"):
            check = verify(data, max_bytes=max_bytes)
        signature_ok = check is None or check.valid or (not check.present and not options["require_signature"])
        valid = not errors and signature_ok
        result = as_json(parsed, check, errors, valid)
        if "from" in result:  # both forms of the organ ids this deployment knows (decision 0034)
            result["known_organs"] = known_forms([o["organ_id"] for o in [result["from"], *result["to"]]])
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self.stdout.write("\n".join(describe(result)))
        for error in errors:
            self.stderr.write(error["message"])
        if check is not None and not check.valid:
            self.stderr.write(check.reason)  # why it does not verify, or that there is none
        if check is not None and check.warning:
            self.stderr.write(check.warning)
        for warning in parsed.warnings if parsed is not None else ():
            self.stderr.write(warning)
        sys.exit(EXIT_VALID if valid else EXIT_INVALID)
