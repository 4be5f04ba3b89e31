"""Every write to documents, split by flow: `incoming` (receive, register, return, correct), `drafting` (drafts,
versions, review), `issuance` (signature, number and seal, recall), `delivery` (the outbox: what leaves, what
arrives, what comes back) and `copies` (electronic copies); `common` holds what they share.

Each action is keyword-only, runs in one transaction (`@action`), checks the acting person's right with the
same predicates the pages use, records one namespaced audit event, and refuses with a translated
ActionRefused that leaves nothing behind but the refusal's audit entry.
"""

from vanthu.documents.actions.bulk import batch, register_many
from vanthu.documents.actions.common import DuplicateSubmission, deny, lock, share
from vanthu.documents.actions.copies import make_copy, parse_pages
from vanthu.documents.actions.delivery import accept_recall, refuse_recall, report_handling, retry_delivery
from vanthu.documents.actions.drafting import (
    DraftData,
    add_draft_version,
    create_draft,
    decide_review,
    finish_conversion,
    return_for_revision,
    submit_for_review,
    update_draft,
)
from vanthu.documents.actions.incoming import (
    VOIDABLE,
    IncomingData,
    PossibleDuplicate,
    cancel_entry,
    duplicates_of,
    register_incoming,
    register_received,
    return_received,
    update_incoming,
)
from vanthu.documents.actions.issuance import (
    complete_remote_signature,
    issue_outgoing,
    recall_outgoing,
    request_remote_signature,
    sign_outgoing,
    signature_block,
)
from vanthu.documents.actions.paper import record_paper_sent
from vanthu.documents.actions.placement import place_element
from vanthu.documents.actions.scans import can_seal_scan, note_scan, receive_scan, seal_scan

__all__ = [
    "VOIDABLE",
    "DraftData",
    "DuplicateSubmission",
    "IncomingData",
    "PossibleDuplicate",
    "accept_recall",
    "add_draft_version",
    "batch",
    "can_seal_scan",
    "cancel_entry",
    "complete_remote_signature",
    "create_draft",
    "decide_review",
    "deny",
    "duplicates_of",
    "finish_conversion",
    "issue_outgoing",
    "lock",
    "make_copy",
    "note_scan",
    "parse_pages",
    "place_element",
    "recall_outgoing",
    "receive_scan",
    "record_paper_sent",
    "refuse_recall",
    "register_incoming",
    "register_many",
    "register_received",
    "report_handling",
    "request_remote_signature",
    "retry_delivery",
    "return_for_revision",
    "return_received",
    "seal_scan",
    "share",
    "sign_outgoing",
    "signature_block",
    "submit_for_review",
    "update_draft",
    "update_incoming",
]
