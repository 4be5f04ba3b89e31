"""What search keeps beside the documents. The engines' own tables (an FTS5 table on SQLite, a tsvector table
on PostgreSQL) are created by this app's migrations and written only by `engines/*` with plain SQL."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TextMethod(models.TextChoices):
    PDF = "pdf", _("lớp chữ của PDF")
    OCR = "ocr", _("nhận dạng chữ (OCR)")
    NONE = "none", _("không có chữ")
    GENERATED = "gen", _("dữ liệu sinh")


class ExtractedText(models.Model):
    """The words of a document's file, stored beside it (the file itself is never altered)."""

    document = models.OneToOneField(
        "documents.Document", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    file_sha256 = models.CharField(max_length=64, blank=True)
    method = models.CharField(max_length=4, choices=TextMethod.choices)
    text = models.TextField(blank=True)
    extracted_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.document_id} ({self.method})"


class IndexedDocument(models.Model):
    """Which version of a document the engine holds (its `updated_at` and the text it was indexed with)."""

    document = models.OneToOneField(
        "documents.Document", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    source_updated_at = models.DateTimeField()
    text_sha256 = models.CharField(max_length=64, blank=True)
    indexed_at = models.DateTimeField(null=True)  # a share made after this re-indexes the document

    def __str__(self) -> str:
        return str(self.document_id)


class Watermark(models.Model):
    """How far the index has followed documents' `updated_at` (one row, name="documents")."""

    name = models.CharField(max_length=30, primary_key=True)
    updated_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return self.name


class Term(models.Model):
    """The folded syllables seen by the index: the vocabulary typo correction looks into."""

    term = models.CharField(max_length=40, primary_key=True)

    def __str__(self) -> str:
        return self.term


class UnitSeen(models.Model):
    """A unit's place and need-to-know level as the index's access tokens last saw them: when either changes,
    the sync re-indexes the documents whose tokens depend on it (its subtree's, and those shared with it)."""

    unit = models.OneToOneField("org.Unit", primary_key=True, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=255)
    need_to_know_from = models.PositiveSmallIntegerField()

    def __str__(self) -> str:
        return self.path
