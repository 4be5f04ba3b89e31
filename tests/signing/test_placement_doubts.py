"""Where vanthu would put the number, date, signature and seal on drafts of several layouts, when it says it is
unsure, and the positions a person may choose (issue 12, item 1)."""

from __future__ import annotations

import pytest

from tests.documents import layouts
from vanthu.signing import pades, pades_form, placement
from vanthu.signing.appearance import MM

NAME = "Đại tá Hoàng Văn Sơn"


def test_the_usual_layout_is_placed_without_doubt():
    found = pades.layout(layouts.usual(), name_line=NAME)
    assert found["doubts"] == []
    assert found["stage"] == "sign"
    number, date = found["boxes"]["number"][1], found["boxes"]["date"][1]
    assert not placement.overlaps(tuple(number), tuple(date))


def test_number_and_date_on_one_line_is_doubted():
    found = pades.layout(layouts.number_and_date_on_one_line(), name_line=NAME)
    assert "same_line" in found["doubts"]


def test_a_draft_without_the_name_line_is_doubted():
    found = pades.layout(layouts.no_name_line(), name_line=NAME)
    assert found["doubts"] == ["signature"]


def test_a_scan_without_text_is_doubted():
    found = pades.layout(layouts.scan(), name_line=NAME)
    assert found["doubts"] == ["scan"]


def test_a_word_draft_converted_by_libreoffice_is_placed_without_doubt():
    found = pades.layout(layouts.word_converted(), name_line=NAME)
    assert found["doubts"] == []
    number, date = found["boxes"]["number"][1], found["boxes"]["date"][1]
    assert number[2] < date[0]  # number in the left column, date in the right one


def test_a_spot_outside_the_page_is_refused():
    number = (50.0, 700.0, 220.0, 720.0)
    with pytest.raises(placement.BadSpot) as refused:
        placement.check_spot("seal", placement.Spot(0, 590.0, 100.0), page_size=(595.28, 841.89), pages=1,
                             number=number)
    assert refused.value.code == "outside"
    with pytest.raises(placement.BadSpot) as refused:
        placement.check_spot("signature", placement.Spot(3, 300.0, 300.0), page_size=(595.28, 841.89), pages=1,
                             number=number)
    assert refused.value.code == "page"


def test_a_spot_over_the_number_is_refused_and_one_beside_it_is_taken():
    number = (50.0, 700.0, 220.0, 720.0)
    with pytest.raises(placement.BadSpot) as refused:
        placement.check_spot("date", placement.Spot(0, 150.0, 712.0), page_size=(595.28, 841.89), pages=1,
                             number=number)
    assert refused.value.code == "over_number"
    placement.check_spot("date", placement.Spot(0, 420.0, 712.0), page_size=(595.28, 841.89), pages=1,
                         number=number)


def test_chosen_spots_replace_the_found_boxes():
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    found = placement.locate(PdfFileReader(BytesIO(layouts.no_name_line()), strict=False), name_line=NAME)
    moved = placement.choose(found, {"signature": placement.Spot(0, 400.0, 250.0),
                                     "date": placement.Spot(0, 420.0, 760.0)})
    assert moved.signature.centre_x == 400.0
    assert moved.signature.gap[1] < 250.0 < moved.signature.gap[3]
    x1, y1, x2, y2 = moved.date.box
    assert (x1 + x2) / 2 == pytest.approx(420.0)
    assert (y1 + y2) / 2 == pytest.approx(760.0)
    assert x2 - x1 == pytest.approx(80 * MM)
    assert moved.doubts == []


@pytest.mark.django_db
def test_a_word_draft_is_signed_and_sealed_with_the_number_beside_the_date_and_the_seal_on_the_signature(cast):
    from tests.signing.pdf_checks import DATE, NUMBER, SON_BLOCK, field_values, widget_rects
    from vanthu.signing import service
    from vanthu.signing.testing import SIGNING_SECRET, equip_cast

    equip_cast(cast, people=("son",), units=("staff",))
    signed = service.sign_personal(pdf=layouts.word_converted(), person=cast.son, block=SON_BLOCK,
                                   secret=SIGNING_SECRET)
    issued = service.seal_issued(pdf=signed, unit=cast.staff, number_text=NUMBER, date_text=DATE,
                                 secret=SIGNING_SECRET)
    rects = widget_rects(issued)
    number, date = rects[pades_form.NUMBER_FIELD], rects[pades_form.DATE_FIELD]
    assert not placement.overlaps(number, date)
    assert number[2] < date[0]
    assert field_values(issued)[pades_form.NUMBER_FIELD] == NUMBER
    assert placement.overlaps(rects[pades.SEAL_FIELD], rects[pades.PERSONAL_FIELD])
    assert service.validate(issued).valid
