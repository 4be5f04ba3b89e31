"""Issue 12, item 12: "Mã PIN" where the PIN is asked and in its errors; signed and issued files downloaded under
their notation (RFC 5987 for non-ASCII); in English, document types, urgency, secrecy and position titles."""

from __future__ import annotations

import pytest

from tests.pages.test_signing_pages import equipped, issue, sign  # noqa: F401 (fixture)
from vanthu.core.choices import Secrecy, Urgency
from vanthu.documents.formatting import content_disposition, notation_file_name
from vanthu.org.titles import position_label


def test_a_wrong_pin_is_called_a_pin(client, cast, equipped, awaiting_signature):  # noqa: F811
    page = sign(client, cast, awaiting_signature, secret="000000").content.decode()
    assert "Mã PIN không đúng." in page
    assert "Mật khẩu khóa ký không đúng" not in page


def test_the_issued_file_is_downloaded_under_its_notation(client, cast, equipped, awaiting_signature,  # noqa: F811
                                                          django_capture_on_commit_callbacks):
    sign(client, cast, awaiting_signature)
    with django_capture_on_commit_callbacks(execute=True):
        issue(client, cast, awaiting_signature)
    awaiting_signature.refresh_from_db()
    got = client.get(f"/documents/{awaiting_signature.pk}/file/{awaiting_signature.current_file_id}/")
    assert got["Content-Disposition"] == "inline; filename=\"01-KH-TM.pdf\"; filename*=UTF-8''01-KH-TM.pdf"


def test_a_non_ascii_notation_has_an_ascii_fallback_and_the_exact_name():
    name = notation_file_name("12/QĐ-BTL")
    assert name == "12-QĐ-BTL.pdf"
    assert content_disposition(name, attachment=True) == (
        "attachment; filename=\"12-QD-BTL.pdf\"; filename*=UTF-8''12-Q%C4%90-BTL.pdf")


@pytest.mark.django_db
def test_in_english_types_urgency_secrecy_and_titles_are_translated(doc_types):
    from django.utils import translation

    with translation.override("en"):
        assert doc_types["KH"].label == "Plan"
        assert str(doc_types["QĐ"]) == "Decision"
        assert str(Urgency.FLASH.label) != "Hỏa tốc"
        assert str(Secrecy.SECRET.label) != "Tối mật"
        assert position_label("Tham mưu trưởng") == "Chief of Staff"
        assert position_label("Phó Tư lệnh") == "Deputy Commander"
        assert position_label("Trợ lý tác chiến") == "Operations officer"
    with translation.override("vi"):
        assert doc_types["KH"].label == "Kế hoạch"
        assert position_label("Tham mưu trưởng") == "Tham mưu trưởng"


def test_the_english_document_page_shows_the_type_in_english(client, cast, awaiting_signature):
    client.force_login(cast.son.user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/documents/{awaiting_signature.pk}/").content.decode()
    assert "<h1>Plan" in page
    assert "Chief of Staff" in page  # the signer's position in the top bar
