"""Every object of a PDF read with the parser the signature validation uses (decision 0036).

pyHanko's validation walks the whole signed revision (the difference analysis reads every object the trailer
reaches, page content streams included): an object of the draft whose text does not parse makes the check of
the issued file fail ("unreadable"), long after the draft was uploaded, signed and sealed. The upload check and
the personal signature read every object first, with the same reader (pyHanko's `PdfFileReader`, non-strict,
vanthu's speedups installed), so such a file is refused where its author still has it.

What is read: each object listed in each revision's cross-reference section (table or stream, hybrid ones
included), as it stands in that revision — the latest version of each through the reader's cache (so what
reads the file afterwards with the same reader reads nothing twice), the versions an incremental update
replaced through the historical view. That covers every object the trailer reaches: a reference to an object no
section lists resolves to null, as pyHanko's validation reads it, and is not an error. Streams are read as
objects (their dictionary, their length); their data is not decompressed (an object stream is, to reach the
objects inside it, as pyHanko does).

An adapter: it takes an open reader and returns what it found; callers turn that into their refusal.
"""

from __future__ import annotations

import dataclasses

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from vanthu.signing import speedups
from vanthu.signing.pdferrors import UNREADABLE_ERRORS

speedups.install()

MAX_OBJECTS = 200_000  # the bound of decision 0024's walk (documents/hostile.PDF_MAX_OBJECTS)
REASON_CHARS = 160


@dataclasses.dataclass(frozen=True)
class Unparsed:
    """An object the parser could not read: its reference ("12 0") and pyHanko's reason (shortened)."""

    ref: str
    reason: str


class TooManyObjects(Exception):
    """The cross-reference sections list more than the bound of objects."""

    def __init__(self, count: int) -> None:
        super().__init__(count)
        self.count = count


def _refs_newest_first(reader: PdfFileReader, limit: int) -> list[tuple[int, generic.Reference, bool]]:
    """(revision, reference, whether it is the object's latest version) for every entry of every section."""
    xrefs = reader.xrefs
    found: list[tuple[int, generic.Reference, bool]] = []
    latest: set[tuple[int, int]] = set()
    for revision in range(xrefs.total_revisions - 1, -1, -1):
        refs = sorted(xrefs.explicit_refs_in_revision(revision), key=lambda r: (r.idnum, r.generation))
        if len(found) + len(refs) > limit:
            raise TooManyObjects(len(found) + len(refs))
        for ref in refs:
            key = (ref.idnum, ref.generation)
            found.append((revision, ref, key not in latest))
            latest.add(key)
    return found


def first_unparsed(reader: PdfFileReader, *, limit: int = MAX_OBJECTS) -> Unparsed | None:
    """The first object of `reader`'s file that does not parse (see the module docstring), or None. Raises
    TooManyObjects past `limit` entries, and what the reader raises on a damaged cross-reference section."""
    for revision, ref, newest in _refs_newest_first(reader, limit):
        try:
            if newest:
                reader.get_object(ref)
            else:
                reader.get_object(ref, revision=revision)
        except UNREADABLE_ERRORS as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            if len(reason) > REASON_CHARS:
                reason = reason[: REASON_CHARS - 1] + "…"
            return Unparsed(ref=f"{ref.idnum} {ref.generation}", reason=reason)
    return None
