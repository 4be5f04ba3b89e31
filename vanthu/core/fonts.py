"""Serif fonts with Vietnamese glyphs, for printed registers and signature appearances.

Decree 30 asks for Times New Roman. Liberation Serif has its metrics: version 2.1.5's regular, bold and italic
ship with vanthu (`font_files/`, SIL Open Font License 1.1, `font_files/LICENSE.txt`) and are used first, whatever
the machine has. The fields a seal fills are read back glyph for glyph against vanthu's own font files
(`signing.fieldtext`, decision 0045), so the files must not change under the documents already sealed: a
system's font package upgraded would otherwise make their seals read invalid, and a peer set up without the
system package would refuse our documents (decision 0055). Source Serif Pro (a Python package) is still read, for
documents a vanthu without Liberation Serif drew before; the system's Liberation files (Debian fonts-liberation2)
only stand in where vanthu's own are missing. `VANTHU_FONT_DIRS` comes before all.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

CANDIDATES = [
    ("Liberation Serif", "LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf", "LiberationSerif-Italic.ttf"),
    ("Source Serif Pro", "SourceSerifPro-Regular.ttf", "SourceSerifPro-Bold.ttf", "SourceSerifPro-It.ttf"),
]
PINNED_DIR = Path(__file__).parent / "font_files"
# the files vanthu ships, by SHA-256 (tests/core/test_fonts.py): replacing them changes the verdict on the fields of
# every document already sealed
PINNED = {
    "LiberationSerif-Regular.ttf": "29d12439831b7f59194efec85872f24f54eff05738933f9a860220d2abff88ba",
    "LiberationSerif-Bold.ttf": "446a4421f297698427170fd7db20e59169a4188baaaf940e9bea58af6341a723",
    "LiberationSerif-Italic.ttf": "c1830c433ab41379f1139fac388989d37c9f08c81e1bd643efdcc7946db30753",
}
SYSTEM_DIRS = [
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
]


@dataclass(frozen=True)
class SerifFont:
    family: str
    regular: Path
    bold: Path
    italic: Path


def _package_dir() -> Path:
    import font_source_serif_pro

    return Path(font_source_serif_pro.__file__).parent / "files"


def _dirs() -> list[Path]:
    return [*getattr(settings, "FONT_DIRS", []), PINNED_DIR, *SYSTEM_DIRS, _package_dir()]


@cache
def serif() -> SerifFont:
    dirs = _dirs()
    for family, regular, bold, italic in CANDIDATES:
        for folder in dirs:
            if (folder / regular).exists() and (folder / bold).exists():
                italic_path = folder / italic if (folder / italic).exists() else folder / regular
                return SerifFont(family, folder / regular, folder / bold, italic_path)
    raise RuntimeError("no serif font with Vietnamese glyphs found (install font-source-serif-pro)")


@cache
def serif_files() -> tuple[Path, ...]:
    """Every file of the candidate families found (regular, bold, italic), `serif()`'s first: the fonts another
    vanthu, set up with another family, may have embedded in a PDF it wrote. One file of each name, the first
    found (vanthu's own before the system's: a field is read against the first of its font's name)."""
    chosen = serif()
    found = {path.name: path for path in (chosen.regular, chosen.italic, chosen.bold)}
    for _family, *names in CANDIDATES:
        for folder in _dirs():
            for name in names:
                if name not in found and (folder / name).exists():
                    found[name] = folder / name
    return tuple(found.values())
