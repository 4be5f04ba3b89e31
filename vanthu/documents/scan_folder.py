"""The network scanner's folder (checklist point 17), read by the hourly job `jobs.pick_up_scans`.

Layout: `<VANTHU_SCAN_DIR>/<unit abbreviation>/<file>.pdf`, one folder per unit (the scanner's profiles write
there). Each PDF is checked as an upload (`uploads.check`: type by content, size, a readable PDF) and received
by the action `receive_scan` as the system actor "scanner"; then moved to `done/` (or to `rejected/`, with
`<file>.txt` saying why). A folder whose name is no active unit's abbreviation is left alone.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings

from vanthu.audit import log
from vanthu.core.actors import SystemActor
from vanthu.core.errors import ActionRefused
from vanthu.documents import uploads
from vanthu.org.models import Unit

SCANNER = SystemActor("scanner")
DONE, REJECTED = "done", "rejected"


def _move(path: Path, into: str) -> Path:
    target_dir = path.parent / into
    target_dir.mkdir(exist_ok=True)
    target = target_dir / path.name
    n = 1
    while target.exists():
        target = target_dir / f"{path.stem}-{n}{path.suffix}"
        n += 1
    shutil.move(str(path), target)
    return target


def pick_up(root: Path | None = None) -> str:
    from vanthu.documents.actions.scans import receive_scan

    folder = root or (Path(settings.SCAN_DIR) if settings.SCAN_DIR else None)
    if folder is None or not folder.is_dir():
        return "no folder"
    units = {u.abbreviation: u for u in Unit.objects.filter(is_active=True) if u.abbreviation}
    received = rejected = 0
    for unit_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        unit = units.get(unit_dir.name)
        if unit is None:
            continue
        for path in sorted(p for p in unit_dir.iterdir() if p.is_file() and p.suffix.lower() == ".pdf"):
            try:
                checked = uploads.check(path.read_bytes(), name=path.name)
                receive_scan(unit=unit, file=checked, acting=SCANNER)
            except ActionRefused as refusal:
                moved = _move(path, REJECTED)
                moved.with_suffix(".txt").write_text(str(refusal.message) + "\n", encoding="utf-8")
                log.record(actor=SCANNER, verb="documents.scan.received.refused", target=None, unit=unit,
                           data={"file": path.name, "reason": str(refusal.message), "code": refusal.code})
                rejected += 1
                continue
            _move(path, DONE)
            received += 1
    return f"received {received}, rejected {rejected}"
