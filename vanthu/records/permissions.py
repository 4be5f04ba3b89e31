"""The records' entry in documents' one access registry: `Need.FILE` (may this person file the document in a
work record). Any active person who sees the document may, except an arrival before its registration and one
cancelled or given back (the records offered are then those they may file into, `queries.fileable_records`; a
person with none may open one). Costs no query: the document page asks it."""

from __future__ import annotations

from vanthu.documents.access import Need, register_predicate
from vanthu.documents.models import Document, Status
from vanthu.org.models import Person

# an arrival not yet in the register, a wrong entry cancelled, a copy cancelled by the sender's recall, one
# given back: none is a document of the unit's work to file
NOT_FILED = (Status.RECEIVED, Status.VOIDED, Status.CANCELLED, Status.RETURNED)


def can_file(person: Person, document: Document) -> bool:
    return person.is_active and not (document.is_incoming and document.status in NOT_FILED)


def register_needs() -> None:
    register_predicate(Need.FILE, can_file)
