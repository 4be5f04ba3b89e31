"""Core's periodic work: the weekly integrity check of the file store (`vanthu files verify` as a job)."""

from __future__ import annotations

import logging

from django.utils.translation import gettext_lazy as _

from vanthu.jobs import job

log = logging.getLogger("vanthu.files")


class StoredFilesDamaged(Exception):
    """Some stored files are missing or no longer hash to their name: restore them from the backup."""


@job(every="week", attempts=1, label=_("Kiểm tra tệp lưu trữ hằng tuần"))
def verify_stored_files() -> dict[str, int]:
    """Once a week: re-hash every stored file. Damage is logged, recorded in the audit log, and makes the job
    fail, so that it shows as failed, with the count, on the jobs page."""
    from django.db import transaction

    from vanthu.audit import log as audit
    from vanthu.core import files

    count, bad = files.verify_all()
    for sha, why in bad:
        log.error("stored file %s: %s", sha, why)
    with transaction.atomic():
        audit.record(actor=None, verb="core.files.verified",
                     data={"checked": count, "bad": len(bad), "files": [sha for sha, _ in bad[:50]]})
    if bad:
        raise StoredFilesDamaged(f"{len(bad)} of {count} stored files are missing or changed")
    log.info("%d stored files intact", count)
    return {"checked": count, "bad": 0}
