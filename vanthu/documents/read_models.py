"""Per-person read state of documents: the inbox marks what a person has not opened yet (issue 12 item 3).

One row per person and document, written when the person opens the document page; the inbox reads the rows
of the items on its page only (one indexed query), so the archive's size costs nothing.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vanthu.org.models import Person


class DocumentRead(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey("documents.Document", on_delete=models.CASCADE, related_name="reads")
    read_at = models.DateTimeField(_("đọc lúc"))

    class Meta:
        verbose_name = _("đã đọc")
        verbose_name_plural = _("đã đọc")
        constraints = [models.UniqueConstraint(fields=["person", "document"], name="documents_read_once")]

    def __str__(self) -> str:
        return f"{self.person_id} read {self.document_id}"
