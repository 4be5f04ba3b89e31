"""After a restore: does the deployment hold what the manifest says? Row counts per model, every stored file's
hash, every task file, every register's counter and every document's number, the audit chains (recomputed,
and their heads as backed up), and on request every issued document's signatures (signing.service.validate)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core import blobs
from vanthu.documents.models import FROZEN, Document, Register
from vanthu.ops.backup import manifest
from vanthu.ops.backup.dump import numbers_digest


@dataclass
class Verdict:
    rows: int = 0
    files: int = 0
    media: int = 0
    documents: int = 0
    registers: int = 0
    chains: int = 0
    events: int = 0
    signed_documents: int | None = None  # None: signatures not checked
    signatures: int = 0
    chains_intact: bool = True
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def drill_line(self) -> str:
        chains = "chains intact" if self.chains_intact else "CHAINS BROKEN"
        return (f"backup/restore drill: {self.files} files, {self.documents} documents, {self.signatures} signatures, "
                f"{chains}" + ("" if self.ok else f", {len(self.problems)} problem(s)"))


def verify(body: dict[str, Any], *, signatures: bool) -> Verdict:
    verdict = Verdict()
    for table in body["tables"]:
        count = apps.get_model(table["model"])._base_manager.count()
        verdict.rows += count
        if count != table["rows"]:
            verdict.problems.append(_("bảng %(model)s: %(got)d dòng, bản sao lưu có %(want)d")
                                    % {"model": table["model"], "got": count, "want": table["rows"]})
    for sha, _size, _type in body["files"]:
        try:
            intact = blobs.verify(sha)
        except FileNotFoundError:
            intact = False
        verdict.files += 1
        if not intact:
            verdict.problems.append(_("tệp %(sha)s thiếu hoặc sai nội dung") % {"sha": sha})
    for item in body["media"]:
        verdict.media += 1
        try:
            with default_storage.open(item["name"], "rb") as fh:
                digest = manifest.sha256_of_stream(fh)
        except FileNotFoundError:
            digest = ""
        if digest != item["sha256"]:
            verdict.problems.append(_("tệp %(sha)s thiếu hoặc sai nội dung") % {"sha": item["name"]})
    registers = [list(r) for r in Register._base_manager.order_by("pk").values_list("pk", "last_number")]
    verdict.registers = len(registers)
    if registers != body["registers"]:
        verdict.problems.append(_("bộ đếm của sổ đăng ký khác bản sao lưu"))
    numbers = list(Document._base_manager.order_by("pk").values_list("pk", "register_id", "number"))
    verdict.documents = len(numbers)
    if numbers_digest(numbers) != body["numbers_sha256"]:
        verdict.problems.append(_("số văn bản trong sổ khác bản sao lưu"))
    for report in log.verify_all():
        verdict.chains += 1
        verdict.events += report.events
        if not report.ok:
            verdict.chains_intact = False
            verdict.problems.append(_("chuỗi nhật ký %(chain)s gãy ở thứ tự %(seq)s")
                                    % {"chain": report.chain, "seq": report.broken_at})
    heads = {c: [s, h] for c, s, h in apps.get_model("audit", "AuditChainHead")._base_manager
             .values_list("chain", "seq", "hash")}
    if heads != body["audit_heads"]:
        verdict.chains_intact = False
        verdict.problems.append(_("đầu chuỗi nhật ký khác bản sao lưu"))
    if signatures:
        _check_signatures(verdict)
    return verdict


def _check_signatures(verdict: Verdict) -> None:
    from vanthu.signing import service

    verdict.signed_documents = 0
    issued = (Document._base_manager.filter(status__in=FROZEN, current_file__isnull=False).order_by("pk")
              .values_list("pk", "current_file_id"))
    for pk, sha in issued.iterator(chunk_size=500):
        result = service.validate(blobs.read(sha))
        verdict.signed_documents += 1
        verdict.signatures += len(result.signatures)
        if not result.valid:
            verdict.problems.append(_("chữ ký của văn bản %(pk)s không hợp lệ: %(why)s")
                                    % {"pk": pk, "why": result.problem or "; ".join(
                                        p for s in result.signatures for p in s.problems)})
