"""The records' entry in documents' one access registry: `Need.FILE` (may this person file the document in a
work record). Any active person who sees the document may (the records offered are then those they may file
into, `queries.fileable_records`; a person with none may open one). Costs no query: the document page asks it."""

from __future__ import annotations

from vanthu.documents.access import Need, register_predicate
from vanthu.documents.models import Document
from vanthu.org.models import Person


def can_file(person: Person, document: Document) -> bool:
    return person.is_active


def register_needs() -> None:
    register_predicate(Need.FILE, can_file)
