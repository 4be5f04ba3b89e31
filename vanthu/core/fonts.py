"""Serif fonts with Vietnamese glyphs, for printed registers and signature appearances.

Decree 30 asks for Times New Roman. Liberation Serif has its metrics and is used where installed
(Debian fonts-liberation2); otherwise Source Serif Pro, which ships as a Python package.
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


@cache
def serif() -> SerifFont:
    dirs = [*getattr(settings, "FONT_DIRS", []), *SYSTEM_DIRS, _package_dir()]
    for family, regular, bold, italic in CANDIDATES:
        for folder in dirs:
            if (folder / regular).exists() and (folder / bold).exists():
                italic_path = folder / italic if (folder / italic).exists() else folder / regular
                return SerifFont(family, folder / regular, folder / bold, italic_path)
    raise RuntimeError("no serif font with Vietnamese glyphs found (install font-source-serif-pro)")


@cache
def serif_files() -> tuple[Path, ...]:
    """Every file of the candidate families found (regular, bold, italic), `serif()`'s first: the fonts another
    vanthu, set up with another family, may have embedded in a PDF it wrote."""
    chosen = serif()
    found = [chosen.regular, chosen.italic, chosen.bold]
    dirs = [*getattr(settings, "FONT_DIRS", []), *SYSTEM_DIRS, _package_dir()]
    for _family, *names in CANDIDATES:
        for folder in dirs:
            found += [folder / name for name in names if (folder / name).exists()]
    return tuple(dict.fromkeys(found))
