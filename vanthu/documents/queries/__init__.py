"""Reads for the document pages, split by flow: `registers` (a unit's register as keyset pages), `page` (a
document with everything its page shows, its files), `history` (its handling and usage history, in
Vietnamese) and `bulk` (the clerk's lists for work on many documents at once).

Every read here is bounded: a register page is one indexed range scan, never a COUNT(*); the document page
costs a fixed number of queries whatever the archive holds.
"""

from vanthu.documents.queries.bulk import BULK_ROWS, receipt_slips, registered_to_present
from vanthu.documents.queries.history import (
    DELIVERY_VERBS,
    HISTORY_PHRASES,
    USAGE_TEXTS,
    HistoryEntry,
    UsageEntry,
    actor_with_absent,
    history_for,
    usage_history,
)
from vanthu.documents.queries.page import DocumentPage, RecipientRow, document_page, file_of
from vanthu.documents.queries.registers import (
    KINDS,
    PAGE_SIZE,
    RegisterPage,
    RegisterRow,
    default_register_unit,
    register_page,
    register_units,
    series_label,
)

__all__ = [
    "BULK_ROWS",
    "DELIVERY_VERBS",
    "HISTORY_PHRASES",
    "KINDS",
    "PAGE_SIZE",
    "USAGE_TEXTS",
    "DocumentPage",
    "HistoryEntry",
    "RecipientRow",
    "RegisterPage",
    "RegisterRow",
    "UsageEntry",
    "actor_with_absent",
    "default_register_unit",
    "document_page",
    "file_of",
    "history_for",
    "receipt_slips",
    "register_page",
    "register_units",
    "registered_to_present",
    "series_label",
    "usage_history",
]
