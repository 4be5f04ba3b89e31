"""vanthu's own serif font files (core.fonts, decision 0055): Liberation Serif 2.1.5 ships with vanthu and is used
first, so the fields a seal fills read the same on every deployment and after the system's fonts change — a
receiver without the system's font package, or with other files under the same names, still reads the number and
date of a document issued here."""

from __future__ import annotations

import hashlib
import io
import shutil

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from vanthu.core import fonts
from vanthu.signing import fields
from vanthu.signing.bench import BLOCK, DATE, NUMBER, make_pki, vanthu_issue
from vanthu.signing.fields import DATE_FIELD, NUMBER_FIELD, FilledField


@pytest.fixture(scope="module")
def issued() -> bytes:
    from vanthu.demo.pdfs import sample_draft

    draft = sample_draft(competence=BLOCK.competence, title=BLOCK.title, name_line=BLOCK.name_line)
    return vanthu_issue(draft, make_pki("rsa"), "B-B")


@pytest.fixture
def system_fonts(monkeypatch):
    """Set the machine's font folders (`SYSTEM_DIRS`) for the test, the fonts found read again."""

    def use(*dirs):
        monkeypatch.setattr(fonts, "SYSTEM_DIRS", list(dirs))
        fonts.serif.cache_clear()
        fonts.serif_files.cache_clear()

    yield use
    fonts.serif.cache_clear()  # what the next test reads: the machine's own again (monkeypatch undone after)
    fonts.serif_files.cache_clear()


def shown(pdf: bytes) -> dict[str, FilledField]:
    return fields.filled_fields(PdfFileReader(io.BytesIO(pdf), strict=False))


def test_the_files_vanthu_ships_are_the_pinned_ones():
    for name, sha256 in fonts.PINNED.items():
        assert hashlib.sha256((fonts.PINNED_DIR / name).read_bytes()).hexdigest() == sha256, name
    assert (fonts.PINNED_DIR / "LICENSE.txt").read_text().count("SIL Open Font License") >= 1


def test_vanthus_files_are_drawn_with_whatever_the_system_has(system_fonts, tmp_path):
    system_fonts(tmp_path)
    chosen = fonts.serif()
    assert (chosen.family, chosen.regular.parent) == ("Liberation Serif", fonts.PINNED_DIR)
    assert fonts.serif_files()[:3] == (chosen.regular, chosen.italic, chosen.bold)


def test_a_receiver_without_the_systems_fonts_reads_the_fields_of_a_document_issued_here(issued, system_fonts,
                                                                                         tmp_path):
    system_fonts(tmp_path)  # no Liberation Serif from the system: vanthu's own are read
    assert shown(issued) == {NUMBER_FIELD: FilledField(NUMBER, NUMBER), DATE_FIELD: FilledField(DATE, DATE)}


def test_other_files_under_the_same_names_change_nothing(issued, system_fonts, tmp_path):
    """A system font package upgraded (other outlines under the same file names): the documents sealed before
    read as they did."""
    other = fonts._package_dir()  # Source Serif's files, under Liberation's names
    for name, theirs in (("LiberationSerif-Regular.ttf", "SourceSerifPro-Regular.ttf"),
                         ("LiberationSerif-Bold.ttf", "SourceSerifPro-Bold.ttf"),
                         ("LiberationSerif-Italic.ttf", "SourceSerifPro-It.ttf")):
        shutil.copy(other / theirs, tmp_path / name)
    system_fonts(tmp_path)
    assert fonts.serif().regular.parent == fonts.PINNED_DIR
    assert tmp_path not in {path.parent for path in fonts.serif_files()}
    assert shown(issued) == {NUMBER_FIELD: FilledField(NUMBER, NUMBER), DATE_FIELD: FilledField(DATE, DATE)}
