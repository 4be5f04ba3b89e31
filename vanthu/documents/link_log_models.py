"""How far the log of downloads served from signed links has been recorded (issue 17, decision 0035). Model of
the documents app (imported by `models.py`); written only by `documents.actions.link_reads`."""

from __future__ import annotations

from django.db import models


class LinkLogPosition(models.Model):
    """One row per log file path (`settings.FILES_LINK_LOG`). Moved in the same transaction as the reads it
    recorded, so a run that fails records nothing and the next one starts where the last success ended."""

    path = models.CharField(max_length=500, unique=True)
    file_id = models.CharField(max_length=60, blank=True)  # "<device>:<inode>": another file after a rotation
    offset = models.BigIntegerField(default=0)  # bytes of the file recorded (always the end of a complete line)
    first_line = models.CharField(max_length=64, blank=True)  # SHA-256 of its first line: truncated and rewritten?
    recorded = models.BigIntegerField(default=0)  # reads recorded from this path, in all
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.path} @ {self.file_id}:{self.offset}"
