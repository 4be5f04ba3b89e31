"""The results page, the XLSX export and GET /api/v1/search: same query, same access rule; bad input never
makes a server error."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.api.conftest import ApiClient, new_token


@pytest.fixture
def api_as(cast):
    def make(person):
        return ApiClient(new_token(person))

    return make


def test_search_box_is_on_every_page_with_slash_shortcut(client, cast):
    client.force_login(cast.lan.user)
    page = client.get("/registers/incoming/").content.decode()
    assert 'action="/search/"' in page
    assert 'id="topsearch-q"' in page
    assert 'data-key-focus="/"' in page


def test_results_page_lists_hits_exact_first_with_facets_and_marks(client, cast, corpus):
    client.force_login(cast.lan.user)
    page = client.get("/search/", {"q": "duong"}).content.decode()
    assert page.index("trồng cây") < page.index("sửa chữa")  # no marks typed: one tier, newest first
    page = client.get("/search/", {"q": "đường"}).content.decode()
    assert page.index("sửa chữa") < page.index("trồng cây")
    assert "<mark>đường</mark>" in page
    assert "Loại văn bản" in page  # a facet


def test_results_page_hides_what_the_person_may_not_see(client, cast, corpus):
    client.force_login(cast.tam.user)
    page = client.get("/search/", {"q": "bão lũ"}).content.decode()
    assert "phòng chống bão lũ" not in page
    assert "Tìm thấy 0 văn bản" in page


def test_facet_link_filters(client, cast, corpus):
    client.force_login(cast.lan.user)
    kh = corpus["bao"].doc_type_id
    page = client.get("/search/", {"q": "bao lu", "doc_type": kh}).content.decode()
    assert "5/BC-TM" not in page
    assert "43/KH-BTTM" in page


def test_export_is_filtered_by_access_and_not_cached(client, cast, corpus):
    client.force_login(cast.hoa.user)
    response = client.get("/search/export.xlsx", {"q": "bão lũ"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.content)).active
    subjects = [row[3] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert subjects == ["Kế hoạch huấn luyện phòng chống bão lũ của Văn phòng"]


def test_api_answers_in_rank_order(api_as, cast, corpus):
    body = api_as(cast.lan).get("/search", {"q": "bão", "limit": 10}).json()
    assert body["total"] == 3
    assert [r["id"] for r in body["results"]][-1] == corpus["bao_report"].pk
    first = body["results"][0]
    assert {"id", "subject", "notation", "snippet"} <= set(first)


def test_api_filters_and_access(api_as, cast, corpus):
    body = api_as(cast.lan).get("/search", {"q": "QĐ-BTL", "date_from": "2026-01-01"}).json()
    assert [r["id"] for r in body["results"]] == [corpus["duong"].pk]
    assert api_as(cast.tam).get("/search", {"q": "QĐ-BTL"}).json() == {
        "total": 0, "total_exact": True, "corrected": "", "notices": [], "results": []}


def test_api_needs_a_token(cast):
    response = ApiClient(None).get("/search", {"q": "bão"})
    assert response.status_code == 401
    assert set(response.json()) == {"error"}


BAD = ["", "   ", "!!! ??? ...", "x" * 10_000, "bão " * 2500, '"', '"bão', "*", "bao*", ":", "lex:bao", "'",
       "' OR 1=1 --", "NEAR(bão lũ)", "bão NEAR lũ", "-bão", "bão -lũ", "AND OR NOT", "\x00\x01",
       "%", "_", "\\", "{lex}: bão", "^bão", "bão lũ" + "\u0301" * 50]


@pytest.mark.parametrize("query", BAD)
def test_bad_queries_answer_sensibly_on_the_page(client, cast, corpus, query):
    client.force_login(cast.lan.user)
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200


@pytest.mark.parametrize("query", BAD)
def test_bad_queries_answer_sensibly_in_the_api(api_as, cast, corpus, query):
    response = api_as(cast.lan).get("/search", {"q": query})
    if "\x00" in query:  # the API refuses NUL characters in any text (issue 18, decision 0019)
        assert response.status_code == 422, response.content
        assert response.json()["error"]["code"] == "nul_character"
        return
    assert response.status_code == 200, response.content
    assert response.json()["total"] >= 0


@pytest.mark.parametrize("raw", ["%ED%A0%80b%C3%A3o", "%FF%FEb%C3%A3o", "b%C3%A3o%C3", "%C0%AF"])
def test_invalid_utf8_in_the_query_string(client, api_as, cast, corpus, raw):
    client.force_login(cast.lan.user)
    assert client.get(f"/search/?q={raw}").status_code == 200
    response = api_as(cast.lan).client.get(f"/api/v1/search?q={raw}", headers=api_as(cast.lan).headers())
    # The API answers invalid UTF-8 with a 400 naming the field (issue 18, decision 0019); the page searches.
    assert response.status_code == 400
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == ("invalid_utf8", "q")


def test_query_over_10000_characters_is_refused_with_a_clear_message(api_as, cast, corpus):
    response = api_as(cast.lan).get("/search", {"q": "bão " * 3000})
    assert response.status_code == 422
    assert "10000" in response.json()["error"]["message"]


def test_only_punctuation_says_so_and_lists_by_filters(api_as, cast, corpus):
    body = api_as(cast.lan).get("/search", {"q": "!!! ???"}).json()
    assert body["notices"] == ["Câu tìm không có chữ hay số nào: đang liệt kê mọi văn bản theo bộ lọc."]
    assert body["total"] == 7  # every document of the Staff


def test_very_long_query_is_cut_with_a_message(api_as, cast, corpus):
    body = api_as(cast.lan).get("/search", {"q": "bão " * 2500}).json()
    assert body["notices"][0].startswith("Câu tìm quá dài")


def test_reversed_date_range_is_swapped_with_a_message(api_as, cast, corpus):
    body = api_as(cast.lan).get("/search", {"q": "QĐ-BTL", "date_from": "2026-12-31",
                                            "date_to": "2025-01-01"}).json()
    assert body["notices"] == ["Ngày bắt đầu sau ngày kết thúc: đã đổi chỗ hai ngày."]
    assert body["total"] == 2


def test_invalid_filter_values_are_a_422_in_the_one_error_shape(api_as, cast, corpus):
    response = api_as(cast.lan).get("/search", {"q": "bão", "date_from": "31/12/2026", "limit": 0})
    assert response.status_code == 422
    assert set(response.json()) == {"error"}


def test_invalid_filter_values_on_the_page_show_the_form_errors(client, cast, corpus):
    client.force_login(cast.lan.user)
    response = client.get("/search/", {"q": "bão", "date_from": "không phải ngày"})
    assert response.status_code == 200
    assert "field-error" in response.content.decode()


def test_english_page(client, cast, corpus):
    client.force_login(cast.lan.user)
    page = client.get("/search/", {"q": "bão"}, headers={"Accept-Language": "en"}).content.decode()
    assert "Found 3 documents" in page
