"""The downloads nginx served from signed links, into the audit chain (issue 17; decision 0035; Decree 30
checklist point 52). No app request runs for such a download, so nginx writes each serve to its own log
(`settings.FILES_LINK_LOG`, format in `documents/link_log.py`) and this action records each line as the read
the checked path records (`reads.DOWNLOADED` in the document's unit chain, at the time nginx served it).

Exactly once: the reads of a batch and the new position in the file (`LinkLogPosition`, locked while the batch
is recorded) commit in one transaction, so a run that fails records nothing and the next starts where the last
success ended; the request id nginx gave each serve also guards against a line recorded twice. A partial last
line waits for the next run. A rotated log (another inode, or a file shorter than the position or with another
first line) is read from its start; before that, the tail of the old file is finished when it is still beside
it under the same inode (logrotate's `<name>.1` with `delaycompress`; docs/deploy.md). A line that names a
person or document that does not exist, a file that is not that document's, or that is not in the format is
skipped, counted by reason and logged (WARNING); it never stops the rest.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from vanthu.audit import reads
from vanthu.audit.models import AuditEvent
from vanthu.core.actors import SystemActor
from vanthu.core.errors import ActionRefused
from vanthu.documents import link_log
from vanthu.documents.models import Document, LinkLogPosition
from vanthu.documents.queries import file_of
from vanthu.org.models import Person

log = logging.getLogger("vanthu.documents.link_reads")
LINK_LOG = SystemActor("nginx link log")  # who records them (decision 0008): the job and `vanthu files record-reads`
BATCH = 2000  # lines a transaction
CHUNK = 1 << 20  # bytes read at a time (a batch never reads more)
MAX_BATCHES = 50  # a run records at most this many batches; the next run goes on
WARNINGS = 20  # skipped lines logged one by one in a run; then one summary line


class LinkLogUnreadable(Exception):
    """The log exists but cannot be read (permissions, a directory in its place)."""


@dataclass
class Outcome:
    log: str
    recorded: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    position: int = 0
    rotated: bool = False
    present: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {"log": self.log, "present": self.present, "recorded": self.recorded, "skipped": dict(self.skipped),
                "position": self.position, "rotated": self.rotated}

    def skip(self, reason: str, detail: str) -> None:
        self.skipped[reason] += 1
        if sum(self.skipped.values()) <= WARNINGS:
            log.warning("link log %s: line skipped (%s): %s", self.log, reason, detail)


def _file_id(st: os.stat_result) -> str:
    return f"{st.st_dev}:{st.st_ino}"


def _lock_position(path: str) -> LinkLogPosition:
    row = LinkLogPosition.objects.select_for_update().filter(path=path).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            LinkLogPosition.objects.create(path=path)
    except IntegrityError:
        pass  # created by a concurrent run
    return LinkLogPosition.objects.select_for_update().get(path=path)


def _first_line_hash(handle: Any) -> str:
    handle.seek(0)
    head = handle.read(link_log.MAX_LINE + 1)
    end = head.find(b"\n")
    return hashlib.sha256(head[:end]).hexdigest() if end >= 0 else ""


def _rotated_file(path: Path, file_id: str) -> Path | None:
    """The old log, renamed beside the new one (`links.log.1`), if it is still there uncompressed."""
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return None
    for entry in entries:
        if entry.name != path.name and entry.name.startswith(path.name):
            try:
                if _file_id(entry.stat(follow_symlinks=False)) == file_id:
                    return Path(entry.path)
            except OSError:
                continue
    return None


def _advance(position: LinkLogPosition, *, offset: int, recorded: int) -> None:
    """Move the position in the transaction of the reads it covers."""
    position.offset = offset
    position.recorded += recorded
    position.save(update_fields=["file_id", "offset", "first_line", "recorded", "updated_at"])


def _resolve(lines: list[bytes], *, prefix: str, outcome: Outcome) -> list[reads.Read]:
    """The reads the lines stand for; every other line counted and logged."""
    served: list[link_log.Served] = []
    for line in lines:
        parsed = link_log.parse_line(line, prefix=prefix)
        if isinstance(parsed, link_log.Malformed):
            outcome.skip(f"malformed_{parsed.reason}", parsed.text)
        elif not parsed.served:
            outcome.skipped["not_served"] += 1  # a refused or expired link: no file left, nothing was read
        else:
            served.append(parsed)
    if not served:
        return []
    people = Person.objects.in_bulk({s.person_id for s in served})
    documents = Document.objects.select_related("current_file").in_bulk({s.document_id for s in served})
    known = set(AuditEvent.objects.filter(
        verb=reads.DOWNLOADED, at__gte=min(s.at for s in served), at__lte=max(s.at for s in served),
        data__request_id__in=sorted({s.request_id for s in served}),
    ).values_list("data__request_id", flat=True))
    names: dict[tuple[int, str], str | None] = {}
    made: list[reads.Read] = []
    for s in served:
        person, document = people.get(s.person_id), documents.get(s.document_id)
        if s.request_id in known:
            outcome.skip("duplicate", f"request {s.request_id} already recorded")
            continue
        if person is None:
            outcome.skip("unknown_person", f"person {s.person_id} (request {s.request_id})")
            continue
        if document is None:
            outcome.skip("unknown_document", f"document {s.document_id} (request {s.request_id})")
            continue
        key = (document.pk, s.sha256)
        if key not in names:
            try:
                names[key] = file_of(document, s.sha256)[0]
            except Http404:
                names[key] = None
        name = names[key]
        if name is None:
            outcome.skip("unknown_file", f"file {s.sha256} is not document {document.pk}'s (request {s.request_id})")
            continue
        if document.secrecy:
            log.warning("link log %s: a file of secret document %s was served from a link (request %s)",
                        outcome.log, document.pk, s.request_id)
        known.add(s.request_id)
        made.append(reads.Read(
            actor=person, verb=reads.DOWNLOADED, target=document, unit=document.unit_id, via=s.via, at=s.at,
            data={"file": name[:150], "sha256": s.sha256, "marked": False, "ip": s.ip[:45], "bytes": s.size,
                  "request_id": s.request_id, "served_at": s.at.isoformat()},
        ))
    return made


def _batch(*, path: Path, prefix: str, batch: int, outcome: Outcome) -> bool:
    """Record one batch in one transaction. True when it recorded or moved something (there may be more)."""
    with transaction.atomic():
        position = _lock_position(str(path))
        try:
            handle = open(path, "rb")  # noqa: SIM115 (closed below, after the position is decided)
        except FileNotFoundError:
            outcome.present = False
            return False
        except OSError as exc:
            raise LinkLogUnreadable(str(exc)) from exc
        with handle:
            current = _file_id(os.fstat(handle.fileno()))
            size = os.fstat(handle.fileno()).st_size
            if position.file_id and position.file_id != current:
                old = _rotated_file(path, position.file_id)
                if old is not None and _tail(old, position=position, prefix=prefix, batch=batch, outcome=outcome):
                    return True
                log.info("link log %s: rotated; reading the new file from its start", path)
                position.file_id, position.offset, position.first_line = current, 0, ""
                outcome.rotated = True
            elif position.file_id == current and position.offset and (size < position.offset or (
                    position.first_line and _first_line_hash(handle) != position.first_line)):
                log.warning("link log %s: truncated or rewritten in place; reading it from its start", path)
                position.offset, position.first_line = 0, ""
                outcome.rotated = True
            position.file_id = current
            moved = _read_from(handle, position=position, prefix=prefix, batch=batch, outcome=outcome)
            outcome.position = position.offset
            if not moved and outcome.rotated:
                _advance(position, offset=position.offset, recorded=0)
            return moved


def _tail(old: Path, *, position: LinkLogPosition, prefix: str, batch: int, outcome: Outcome) -> bool:
    """Record the rest of the rotated file; False when nothing is left in it."""
    try:
        with open(old, "rb") as handle:
            if os.fstat(handle.fileno()).st_size <= position.offset:
                return False
            moved = _read_from(handle, position=position, prefix=prefix, batch=batch, outcome=outcome, final=True)
    except OSError:
        return False
    if moved:
        log.info("link log %s: recorded the tail of the rotated file %s", outcome.log, old)
    return moved


def _read_from(handle: Any, *, position: LinkLogPosition, prefix: str, batch: int, outcome: Outcome,
               final: bool = False) -> bool:
    """Read complete lines from the position, record them, move the position (one transaction: the caller's).
    `final`: the file is no longer written (rotated), so a partial last line is dropped and counted."""
    handle.seek(position.offset)
    chunk = handle.read(CHUNK)
    lines, used = link_log.complete_lines(chunk)
    if len(lines) > batch:
        lines = lines[:batch]
        used = sum(len(line) + 1 for line in lines)
    if not lines:
        if chunk and (final or len(chunk) >= CHUNK):  # a line that will never end, or no line at all
            outcome.skip("malformed_partial", chunk[:120].decode("ascii", errors="replace"))
            _advance(position, offset=position.offset + len(chunk), recorded=0)
            return True
        return False
    if position.offset == 0:
        position.first_line = hashlib.sha256(lines[0]).hexdigest()
    made = _resolve(lines, prefix=prefix, outcome=outcome)
    reads.record_reads(made)
    _advance(position, offset=position.offset + used, recorded=len(made))
    outcome.recorded += len(made)
    outcome.position = position.offset
    return True


def record_link_reads(*, acting: SystemActor, path: Path, prefix: str, batch: int = BATCH) -> Outcome:
    """Record the downloads of the log at `path` not yet recorded (at most MAX_BATCHES × `batch` lines a run).
    Only a system actor runs it (the job, the operator's command): a person never does. A missing log records
    nothing (`present` False); an unreadable one raises `LinkLogUnreadable`."""
    if not isinstance(acting, SystemActor):
        raise ActionRefused(_("Chỉ hệ thống ghi nhật ký tải tệp qua liên kết."), code="forbidden", status=403)
    outcome = Outcome(log=str(path))
    if not path.exists():
        outcome.present = False
        return outcome
    for _round in range(MAX_BATCHES):
        if not _batch(path=path, prefix=prefix, batch=batch, outcome=outcome):
            break
    skipped = sum(outcome.skipped.values())
    if skipped > WARNINGS:
        log.warning("link log %s: %d lines skipped in this run (%s)", path, skipped, dict(outcome.skipped))
    return outcome


def configured_log() -> tuple[Path, str]:
    """The log's path (`FILES_LINK_LOG`) and the links' prefix (`FILES_LINK_PREFIX`, decision 0035)."""
    return Path(settings.FILES_LINK_LOG), str(getattr(settings, "FILES_LINK_PREFIX", "/_vanthu_link/"))


def record_configured(*, acting: SystemActor) -> Outcome:
    """`record_link_reads` on the configured log (the job; `vanthu files record-reads`)."""
    path, prefix = configured_log()
    return record_link_reads(acting=acting, path=path, prefix=prefix)
