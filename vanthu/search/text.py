"""Vietnamese text as the index and the queries see it: pure functions, no Django.

Every text goes through `syllables()`: NFC, invalid code points dropped, lower case, the tone mark moved to
one canonical vowel (so the old placement `hoá`, `uỷ` equals the new `hóa`, `ủy`), split into syllables of
letters and digits (a notation `12/QĐ-BTL` becomes `12 qđ btl`). `fold()` removes every diacritic and maps
đ → d ourselves (SQLite's `remove_diacritics` misses letters with two marks such as ộ).

The index stores *lexemes*: each folded syllable, each folded pair of neighbouring syllables (`bao_lu`,
which is how a phrase is matched without positions), and, where they differ, the same with diacritics
(`bão`, `bão_lũ`), which is how exact matches rank above folded ones. The same lexemes serve every engine.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

TONES = {"\u0301", "\u0300", "\u0309", "\u0303", "\u0323"}  # sắc, huyền, hỏi, ngã, nặng
_SYLLABLE = re.compile(r"[^\W_]+", re.UNICODE)
_VOWELS = set("aăâeêioôơuưy")
_MARKED = set("ăâêôơư")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def clean(value: str) -> str:
    """NFC text without lone surrogates or control characters (what a browser or a bad client may send)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    return _CONTROL.sub(" ", unicodedata.normalize("NFC", value))


@lru_cache(maxsize=200_000)
def _place_tone(syllable: str) -> str:
    """The syllable (lower case, NFC) with its tone mark on the canonical vowel ("new" placement)."""
    decomposed = unicodedata.normalize("NFD", syllable)
    tone = next((ch for ch in decomposed if ch in TONES), None)
    if tone is None:
        return syllable
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in TONES))
    positions = [i for i, ch in enumerate(bare) if ch in _VOWELS]
    if not positions:
        return syllable
    # "qu" and "gi" start with a consonant: their u / i is not a vowel of the rhyme (unless it is the only one).
    if len(positions) > 1 and (
        (bare.startswith("qu") and positions[0] == 1) or (bare.startswith("gi") and positions[0] == 1)
    ):
        positions = positions[1:]
    marked = [i for i in positions if bare[i] in _MARKED]
    if marked:
        at = marked[-1]  # ươ: on ơ
    elif len(positions) == 1:
        at = positions[0]
    elif positions[-1] < len(bare) - 1 or len(positions) >= 3:
        at = positions[1] if len(positions) >= 3 else positions[-1]
    elif bare[positions[0] : positions[0] + 2] in ("oa", "oe", "uy"):
        at = positions[1]
    else:
        at = positions[0]
    chars = list(bare)
    chars[at] = unicodedata.normalize("NFC", chars[at] + tone)
    return "".join(chars)


def syllables(value: str) -> list[str]:
    """Lower-case syllables of `value`, NFC, tones in canonical place."""
    return [_place_tone(s) for s in _SYLLABLE.findall(clean(value).lower())]


@lru_cache(maxsize=200_000)
def fold(syllable: str) -> str:
    """The syllable without any diacritic, đ → d."""
    decomposed = unicodedata.normalize("NFD", syllable.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def has_marks(syllable: str) -> bool:
    return fold(syllable) != syllable


def pair(a: str, b: str) -> str:
    return f"{a}_{b}"


def lexemes(texts: Iterable[str], *, exact: bool = True) -> set[str]:
    """The index lexemes of some texts: folded syllables and pairs, plus the marked syllables, and the marked
    pairs when `exact` (bodies are indexed without them: they would double the index for little gain)."""
    out: set[str] = set()
    add = out.add
    for value in texts:
        words = syllables(value)
        if not words:
            continue
        folded = [fold(w) for w in words]
        out.update(words)
        out.update(folded)
        if not exact:
            out.update([f"{a}_{b}" for a, b in itertools.pairwise(folded)])
            continue
        for i in range(len(words) - 1):
            fa, fb = folded[i], folded[i + 1]
            add(f"{fa}_{fb}")
            if exact:
                a, b = words[i], words[i + 1]
                if a != fa or b != fb:
                    add(f"{a}_{b}")
    return out


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Levenshtein distance, giving up (returning limit+1) once it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]
