"""Issue 12, item 4: choices that do not mislead. The presentation form preselects the unit's head (configurable),
never a deputy; pickers show position and unit; reviewers exclude the author; issuing bodies come from a
catalogue (the tree plus a directory of outside agencies imported from a file) with an accent-insensitive
autocomplete, and the stored text of older entries stays."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import Workbook

from vanthu.audit.models import AuditEvent
from vanthu.core.actors import SystemActor
from vanthu.org import agencies
from vanthu.org.agency_actions import import_agencies, set_unit_head
from vanthu.org.models import Agency, Role
from vanthu.org.queries import head_of
from vanthu.org.second_factor_testing import step_up

FIXTURES = SystemActor("test fixtures")
CSV = ("Tên cơ quan,Tên ngắn,Mã\nBộ Quốc phòng,BQP,000.00.00.G01\nCục Quân huấn,QH,\n"
       "Ủy ban nhân dân tỉnh Đắk Lắk,UBND tỉnh,\n")


def present_page(client, person, document) -> str:
    client.force_login(person.user)
    return client.get(f"/documents/{document.pk}/present/").content.decode()


def checked_value(html: str) -> str:
    """The value of the checked radio of the presentation form."""
    import re

    found = re.findall(r'<input type="radio" name="to" value="(\d+)"[^>]*checked', html)
    return found[0] if found else ""


def test_the_head_is_preselected_not_the_deputy(client, cast, registered):
    page = present_page(client, cast.hoa, registered)
    assert checked_value(page) == str(cast.hung.pk)
    # people show rank, position and unit
    assert "Thiếu tướng Trần Quốc Hùng, Tư lệnh — Bộ Tư lệnh" in page
    assert "Đại tá Lê Văn Bình, Phó Tư lệnh — Bộ Tư lệnh" in page


def test_the_head_is_configurable_per_unit(client, cast, registered):
    set_unit_head(unit=cast.command, head=cast.binh, acting=FIXTURES)
    assert checked_value(present_page(client, cast.hoa, registered)) == str(cast.binh.pk)


def test_without_a_clear_head_no_one_is_preselected(client, cast, registered):
    cast.hung.signing_authorities.all().delete()  # two leaders of the Command, neither signs in his own name
    assert head_of(cast.command) is None
    assert checked_value(present_page(client, cast.hoa, registered)) == ""


def test_only_a_leader_of_the_unit_can_be_its_head_and_only_its_admin_sets_it(client, cast):
    from vanthu.core.errors import ActionRefused

    with pytest.raises(ActionRefused) as refused:
        set_unit_head(unit=cast.command, head=cast.hoa, acting=FIXTURES)
    assert refused.value.code == "not_a_leader"
    with pytest.raises(ActionRefused) as refused:
        set_unit_head(unit=cast.command, head=cast.binh, acting=cast.hoa)
    assert refused.value.status == 403
    cast.command.refresh_from_db()
    assert cast.command.head_id is None
    client.force_login(cast.hoa.user)
    assert client.get(f"/org/units/{cast.command.pk}/head/").status_code == 404
    step_up(client, cast.admin)
    page = client.post(f"/org/units/{cast.command.pk}/head/", {"head": cast.binh.pk}, follow=True)
    assert "Đã lưu người đứng đầu của Bộ Tư lệnh Quân khu 10." in page.content.decode()
    cast.command.refresh_from_db()
    assert cast.command.head_id == cast.binh.pk
    assert AuditEvent.objects.filter(verb="org.unit.head_set").count() == 1


def test_reviewers_exclude_the_author(client, cast, draft):
    client.force_login(cast.quang.user)
    page = client.get(f"/documents/{draft.pk}/submit/").content.decode()
    assert "Bùi Đức Quang" not in page.split('name="reviewer_1"')[1].split("</select>")[0]
    assert "Đại tá Hoàng Văn Sơn, Tham mưu trưởng — Bộ Tham mưu" in page


def test_the_directory_imports_a_csv_and_the_autocomplete_ignores_accents(client, cast):
    call_command("agencies", "import", str(_write(CSV)))
    assert Agency.objects.count() == 3
    client.force_login(cast.hoa.user)
    options = client.get("/org/issuing-bodies/", {"organ_name": "dak lak"}).content.decode()
    assert '<option value="Ủy ban nhân dân tỉnh Đắk Lắk">' in options
    options = client.get("/org/issuing-bodies/", {"organ_name": "su doan"}).content.decode()
    assert '<option value="Sư đoàn 301">' in options  # the org tree too
    options = client.get("/org/issuing-bodies/", {"organ_name": "quoc phong"}).content.decode()
    assert "Bộ Quốc phòng" in options


def test_the_registration_form_offers_the_catalogue_and_keeps_free_text(client, cast, doc_types, registered):
    client.force_login(cast.hoa.user)
    page = client.get("/documents/incoming/new/").content.decode()
    assert 'list="issuing-bodies"' in page
    assert '<datalist id="issuing-bodies">' in page
    assert 'hx-get="/org/issuing-bodies/"' in page
    # an entry registered with free text keeps its text on the edit form
    edit = client.get(f"/documents/{registered.pk}/edit/").content.decode()
    assert 'value="Bộ Quốc phòng"' in edit


def test_a_reimport_updates_and_a_bad_file_changes_nothing(cast):
    import_agencies(rows=agencies.parse(CSV.encode(), filename="a.csv"), acting=FIXTURES)
    result = import_agencies(rows=agencies.parse(b"Cuc Quan huan,QH,\nB\xe1\xbb\x99 Qu\xe1\xbb\x91c ph\xc3\xb2ng,BQP,"
                                                 b"000.00.00.G02\n", filename="b.csv"), acting=FIXTURES)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    assert Agency.objects.get(name="Bộ Quốc phòng").code == "000.00.00.G02"
    before = Agency.objects.count()
    from vanthu.core.errors import ActionRefused

    with pytest.raises(ActionRefused) as refused:
        import_agencies(rows=agencies.parse("Cục A,,\n,thiếu tên,\n".encode(), filename="c.csv"), acting=FIXTURES)
    assert "Dòng 2" in refused.value.message
    assert Agency.objects.count() == before
    assert AuditEvent.objects.filter(verb="org.agencies.imported.refused").count() == 1


def test_the_directory_page_imports_an_xlsx_for_the_top_admin_only(client, cast):
    book = Workbook()
    sheet = book.active
    sheet.append(["Tên cơ quan", "Tên ngắn", "Mã"])
    sheet.append(["Bộ Tổng Tham mưu", "BTTM", ""])
    data = io.BytesIO()
    book.save(data)
    upload = SimpleUploadedFile("danh-ba.xlsx", data.getvalue())
    client.force_login(cast.hoa.user)
    assert client.get("/org/agencies/").status_code == 404
    assert client.post("/org/agencies/", {"file": upload}).status_code == 404
    assert not Agency.objects.exists()
    step_up(client, cast.admin)
    upload.seek(0)
    page = client.post("/org/agencies/", {"file": upload}, follow=True).content.decode()
    assert "1 mới" in page
    assert "Bộ Tổng Tham mưu" in page
    bad = client.post("/org/agencies/", {"file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04 not a workbook")})
    assert "Không đọc được tệp Excel (XLSX)." in bad.content.decode()
    assert Agency.objects.count() == 1


def test_a_leader_role_is_needed_for_the_default_head(cast):
    assert head_of(cast.command) == cast.hung
    assert head_of(cast.division) == cast.dung
    assert cast.hung.roles.filter(role=Role.LEADER).exists()


def _write(text: str):
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / "danh-ba.csv"
    path.write_text(text, encoding="utf-8")
    return path
