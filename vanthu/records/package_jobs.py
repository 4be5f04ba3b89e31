"""The job that exports a record's package asked for on its page (package_actions.request_package)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from vanthu.jobs import gone, job


@job(attempts=3, backoff=60, label=_("Xuất gói hồ sơ"))
def export_package(record_id: int, person_id: int, token: str) -> str:
    """Re-reads the record and the person, exports (the right is checked again) into the file store; the page
    finds the outcome by `token`. Run twice, it finds its first outcome and does nothing."""
    from vanthu.audit.models import AuditEvent
    from vanthu.org.models import Person
    from vanthu.records.exporting import VERB, ExportRefused, export_record
    from vanthu.records.models import Record

    record = Record.objects.select_related("unit", "creator").filter(pk=record_id).first()
    person = Person.objects.select_related("unit").filter(pk=person_id).first()
    if record is None or person is None:
        gone("export_package", "record or person", record_id)
        return "gone"
    if AuditEvent.objects.filter(target_type="records.record", target_id=str(record.pk),
                                 verb__in=[VERB, f"{VERB}.refused"], data__token=token).exists():
        return "done already"
    folder = Path(settings.DATA_DIR) / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as work:
        try:
            written = export_record(record=record, out=Path(work) / "package.zip", acting=person, token=token,
                                    store=True)
        except ExportRefused:
            return "refused"
    return f"{written.documents} documents, {written.bytes} bytes"
