"""An envelope's large text nodes (an attachment's base64: hundreds of kilobytes) kept out of lxml's canonical
and ordinary serialisations, which copy them character by character to escape what they never hold.

    with LargeTexts(root) as large:
        pieces = large.serialise(lambda: etree.tostring(root, method="c14n", exclusive=True))

Inside the block each such text is a short marker; `serialise` puts each text's bytes back where its marker is,
as a list of pieces whose concatenation is what the serialisation of the untouched tree gives — hashed piece by
piece (`digest`) or joined. Only a text that both serialisations write as it is qualifies: ASCII, without `&`,
`<`, `>` or a carriage return (what c14n and lxml escape). The markers are random and each must appear exactly
once, in document order, in the output: else the texts are put back and the whole tree serialised as before. The
tree is as it was on leaving the block. A text given as CDATA would be written otherwise by `tostring`: the trees
signed here have none (the safe parser drops CDATA; build.py writes plain text).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from types import TracebackType

from cryptography.hazmat.primitives import hashes
from lxml import etree

LARGE = 16 * 1024  # characters: an attachment's content, not a field


class LargeTexts:
    """`root`'s large texts, standing aside as markers inside the block. `keep=False`: the tree is given up (a
    tree parsed for one verification, or built for one signature): its texts are not put back on leaving the block
    (lxml checks a text character by character when it is set: hundreds of microseconds for an attachment)."""

    def __init__(self, root: etree._Element | None = None, *, keep: bool = True) -> None:
        self.root = root
        self.keep = keep
        self.salt = secrets.token_hex(8)
        self.swapped: list[tuple[etree._Element, bytes, bytes]] = []  # (element, its text, its marker)

    def put(self, element: etree._Element, text: bytes) -> None:
        """Give `element` the text `text` (ASCII), a marker standing for it if it is large and has nothing to
        escape; else set as it is (an empty text too: the caller may read it)."""
        if len(text) < LARGE or not text.isascii() or any(c in text for c in (b"&", b"<", b">", b"\r")):
            element.text = text.decode("ascii")
            return
        marker = f"vanthu-large-text-{self.salt}-{len(self.swapped)}-end"
        element.text = marker
        self.swapped.append((element, text, marker.encode("ascii")))

    def __enter__(self) -> LargeTexts:
        taken = {id(element) for element, _text, _marker in self.swapped}
        for element in self.root.iter(etree.Element) if self.root is not None else ():
            text = element.text
            if (text is None or len(text) < LARGE or id(element) in taken or not text.isascii()
                    or "&" in text or "<" in text or ">" in text or "\r" in text):
                continue
            marker = f"vanthu-large-text-{self.salt}-{len(self.swapped)}-end"
            element.text = marker
            self.swapped.append((element, text.encode("ascii"), marker.encode("ascii")))
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self.keep:
            self.restore()

    def restore(self) -> None:
        """Every text back in its element."""
        swapped, self.swapped = self.swapped, []
        for element, text, _marker in swapped:
            element.text = text.decode("ascii")

    def serialise(self, render: Callable[[], bytes]) -> list[bytes]:
        """`render()`, a serialisation of the tree, as pieces (see the module docstring): spliced, or — a marker
        not where it must be — the texts put back and the whole tree rendered again."""
        pieces = self.splice(render())
        if pieces is None:
            self.restore()
            pieces = [render()]
        return pieces

    def splice(self, data: bytes) -> list[bytes] | None:
        """`data` (the tree serialised inside the block) with each large text back in place of its marker."""
        found = []
        for _element, text, marker in self.swapped:
            if data.count(marker) != 1:
                return None
            found.append((data.index(marker), marker, text))
        pieces: list[bytes] = []
        at = 0
        for position, marker, text in sorted(found):
            pieces += [data[at:position], text]
            at = position + len(marker)
        pieces.append(data[at:])
        return pieces


def digest(pieces: Iterable[bytes], algorithm: hashes.HashAlgorithm) -> bytes:
    """The digest of the pieces' concatenation, without making it."""
    hasher = hashes.Hash(algorithm)
    for piece in pieces:
        hasher.update(piece)
    return hasher.finalize()
