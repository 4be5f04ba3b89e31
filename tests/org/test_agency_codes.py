"""Checklist point 47 (decision 0034): an outside agency keeps both identifiers — the QCVN 102 organ id
(`000.00.00.G22`) and the QĐ 20/2020 electronic identifier — each checked for its form with a translated refusal,
shown on the directory page and in the autocomplete's detail, searchable by either; the directory follows the
exchange hub's list (the VNPT axis's JSON shape): added, updated, deactivated (never deleted), idempotent."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation

from vanthu.audit.models import AuditEvent
from vanthu.core.actors import SystemActor
from vanthu.core.errors import ActionRefused
from vanthu.org import actions as org
from vanthu.org import agencies, agency_list, identifiers
from vanthu.org.agency_actions import import_agencies
from vanthu.org.agency_sync import sync_agencies
from vanthu.org.models import Agency, Unit
from vanthu.org.second_factor_testing import step_up

FIXTURES = SystemActor("test fixtures")

HUB = [
    {"code": "G01", "code102": "000.00.00.G01", "name": "Bộ Quốc phòng", "pcode": "", "status": 1},
    {"code": "G01.10", "code102": "000.00.10.G01", "name": "Tổng cục Chính trị", "pcode": "G01", "status": 1},
    {"code": "H41", "code102": "000.00.00.H41", "name": "Ủy ban nhân dân tỉnh Nghệ An", "status": 1},
    {"code": "H41.X1", "code102": "", "name": "Ủy ban nhân dân xã Tân Lập", "pcode": "H41"},
    {"code": "H42.X1", "code102": "", "name": "Ủy ban nhân dân xã Tân Lập", "pcode": "H42"},
    {"code": "Q10", "code102": "000.00.00.Q10", "name": "Bộ Tư lệnh Quân khu 10 (trên trục)", "status": 1},
]


def rows(items: list[dict[str, object]]) -> list[agency_list.HubAgency]:
    return agency_list.parse(json.dumps(items, ensure_ascii=False).encode())


def test_both_forms_are_checked_with_translated_errors(cast):
    """Checklist point 47: each identifier checked for its own form, refused with a translated message."""
    assert identifiers.is_qcvn102("000.00.00.G22")
    assert not identifiers.is_qcvn102("G22")
    assert identifiers.is_qd20("G22.01.05")
    assert identifiers.is_qd20("000.00.00.G22")
    for bad in ("", "G22 01", "G22.", "x" * 41, "G22/01"):
        assert not identifiers.is_qd20(bad), bad
    with pytest.raises(ActionRefused) as refused:
        import_agencies(rows=agencies.parse("Cục A,,G22\n".encode(), filename="a.csv"), acting=FIXTURES)
    assert refused.value.message == ("Dòng 1: mã định danh G22 không đúng dạng 000.00.00.G22 (QCVN 102:2016).")
    with pytest.raises(ActionRefused) as refused:
        sync_agencies(rows=rows([{"code": "G22 01", "code102": "000.00.00.G22", "name": "Cục B"}]), acting=FIXTURES)
    assert refused.value.code == "bad_code_qd20"
    with translation.override("en"), pytest.raises(ActionRefused) as refused:
        sync_agencies(rows=rows([{"code": "G22 01", "name": "Cục B"}]), acting=FIXTURES)
    assert refused.value.message.startswith("Line 1: electronic identifier G22 01 is not of the Decision 20/2020")
    with pytest.raises(ActionRefused) as refused:
        sync_agencies(rows=rows([{"code": "", "code102": "", "name": "Cục C"}]), acting=FIXTURES)
    assert refused.value.code == "code_required"
    assert not Agency.objects.exists()


def test_a_csv_import_keeps_both_codes(cast):
    import_agencies(
        rows=agencies.parse(
            "Tên cơ quan,Tên ngắn,Mã,Mã QĐ 20\nBộ Quốc phòng,BQP,000.00.00.G01,G01\n".encode(), filename="a.csv"
        ),
        acting=FIXTURES,
    )
    agency = Agency.objects.get()
    assert (agency.code, agency.code_qd20) == ("000.00.00.G01", "G01")
    # a file of three columns does not erase the QĐ 20 code
    import_agencies(
        rows=agencies.parse("Bộ Quốc phòng,BQP,000.00.00.G01\n".encode(), filename="b.csv"), acting=FIXTURES
    )
    assert Agency.objects.get().code_qd20 == "G01"


def test_a_hub_list_is_applied_idempotently(cast):
    """Checklist point 47: the hub's list adds, updates, deactivates (never deletes); twice is once."""
    Agency.objects.create(name="Ủy ban nhân dân tỉnh Nghệ An", code="", folded="uy ban nhan dan tinh nghe an")
    Agency.objects.create(name="Cục lưu trữ nhập tay", code="", folded="cuc luu tru nhap tay")
    first = sync_agencies(rows=rows(HUB), acting=FIXTURES, source="file:hub.json")
    # five listed (the sixth is this deployment's own top unit, by its QCVN 102 code), one adopted by its name
    assert first.as_dict() == {"added": 4, "updated": 1, "deactivated": 0, "unchanged": 0, "own_units": 1}
    nghe_an = Agency.objects.get(code_qd20="H41")
    assert (nghe_an.name, nghe_an.code, nghe_an.from_hub) == ("Ủy ban nhân dân tỉnh Nghệ An", "000.00.00.H41", True)
    assert set(Agency.objects.filter(name__startswith="Ủy ban nhân dân xã").values_list("name", flat=True)) == {
        "Ủy ban nhân dân xã Tân Lập (H41.X1)",
        "Ủy ban nhân dân xã Tân Lập (H42.X1)",
    }
    again = sync_agencies(rows=rows(HUB), acting=FIXTURES)
    assert again.as_dict() == {"added": 0, "updated": 0, "deactivated": 0, "unchanged": 5, "own_units": 1}
    # the hub renames one, drops one, marks one inactive; the agency typed in by hand is left alone
    changed = [dict(item) for item in HUB if item["code"] != "G01.10"]
    changed[0]["name"] = "Bộ Quốc phòng (Việt Nam)"
    changed[2]["status"] = 0
    third = sync_agencies(rows=rows(changed), acting=FIXTURES)
    assert third.as_dict() == {"added": 0, "updated": 1, "deactivated": 2, "unchanged": 2, "own_units": 1}
    assert Agency.objects.get(code_qd20="G01").name == "Bộ Quốc phòng (Việt Nam)"
    assert not Agency.objects.get(code_qd20="G01.10").is_active  # kept: documents may name it
    assert not Agency.objects.get(code_qd20="H41.X1").is_active
    assert Agency.objects.get(name="Cục lưu trữ nhập tay").is_active
    assert sync_agencies(rows=rows(changed), acting=FIXTURES).as_dict()["unchanged"] == 3
    back = sync_agencies(rows=rows(HUB), acting=FIXTURES)  # listed again: active again, the same rows
    assert (back.added, back.updated) == (0, 3)
    assert Agency.objects.count() == 6
    events = AuditEvent.objects.filter(verb="org.agencies.synced").order_by("pk")
    assert events.count() == 5
    assert events.first().data["source"] == "file:hub.json"
    assert events.first().data["added"] == 4


def test_the_sync_is_for_the_deployment_administrator(cast):
    with pytest.raises(ActionRefused) as refused:
        sync_agencies(rows=rows(HUB), acting=cast.hoa)
    assert refused.value.status == 403
    assert sync_agencies(rows=rows(HUB), acting=cast.admin).added == 5


def test_the_command_prints_counts_and_exits_with_its_status(cast, tmp_path, capsys):
    """Checklist point 47: `vanthu agencies sync --from FILE [--json]`, exit 0/1/2."""
    source = tmp_path / "hub.json"
    source.write_text(json.dumps({"data": HUB}, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SystemExit) as done:
        call_command("agencies", "sync", "--from", str(source), "--json")
    assert done.value.code == 0
    out = capsys.readouterr()
    assert json.loads(out.out) == {"added": 5, "updated": 0, "deactivated": 0, "unchanged": 0, "own_units": 1}
    with pytest.raises(SystemExit) as done:
        call_command("agencies", "sync", "--from", str(source))
    assert done.value.code == 0
    assert "0 mới, 0 cập nhật, 0 ngừng dùng, 5 không đổi" in capsys.readouterr().out
    source.write_text('[{"code": "A 1", "name": "X"}]', encoding="utf-8")
    with pytest.raises(SystemExit) as done:
        call_command("agencies", "sync", "--from", str(source))
    assert done.value.code == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert "QĐ 20/2020" in out.err
    source.write_text("not json", encoding="utf-8")
    with pytest.raises(SystemExit) as done:
        call_command("agencies", "sync", "--from", str(source))
    assert done.value.code == 1
    assert "không đọc được" in capsys.readouterr().err
    with pytest.raises(SystemExit) as done:
        call_command("agencies", "sync")  # VANTHU_AGENCY_HUB is empty
    assert done.value.code == 2
    assert "VANTHU_AGENCY_HUB" in capsys.readouterr().err


def test_the_directory_shows_and_finds_both_codes(client, cast):
    """Checklist point 47: both codes on the directory page and in the autocomplete, found by either."""
    sync_agencies(rows=rows(HUB), acting=FIXTURES)
    step_up(client, cast.admin)
    page = client.get("/org/agencies/").content.decode()
    assert "Mã định danh điện tử (QĐ 20/2020)" in page
    assert "<td>000.00.10.G01</td><td>G01.10</td>" in page
    found = client.get("/org/agencies/", {"q": "G01.10"}).content.decode()
    assert "Tổng cục Chính trị" in found
    assert "Nghệ An" not in found
    found = client.get("/org/agencies/", {"q": "000.00.00.H41"}).content.decode()
    assert "Nghệ An" in found
    assert "Tổng cục Chính trị" not in found
    client.force_login(cast.hoa.user)
    options = client.get("/org/issuing-bodies/", {"organ_name": "tong cuc chinh"}).content.decode()
    assert '<option value="Tổng cục Chính trị">000.00.10.G01 · G01.10</option>' in options
    options = client.get("/org/issuing-bodies/", {"organ_name": "h41"}).content.decode()
    assert "Ủy ban nhân dân tỉnh Nghệ An" in options


def test_the_qd20_form_of_a_known_organ_maps_to_its_qcvn102_form(cast, django_assert_num_queries):
    """Checklist point 47: the QĐ 20 form of a known organ id maps to its QCVN 102 form."""
    sync_agencies(rows=rows(HUB), acting=FIXTURES)
    cast.staff.code_qd20 = "Q10.02"
    cast.staff.save(update_fields=["code_qd20"])
    assert identifiers.as_qcvn102("Q10.02") == cast.staff.code
    assert identifiers.as_qcvn102("H41") == "000.00.00.H41"
    assert identifiers.as_qcvn102("H41.X1") == "H41.X1"  # known, but with no QCVN 102 form
    assert identifiers.as_qcvn102("Z99") == "Z99"
    with django_assert_num_queries(0):
        assert identifiers.as_qcvn102("000.00.00.H41") == "000.00.00.H41"
    assert identifiers.known_forms(["H41", cast.staff.code]) == {
        "H41": {"code": "000.00.00.H41", "code_qd20": "H41", "name": "Ủy ban nhân dân tỉnh Nghệ An", "where": "agency"},
        cast.staff.code: {"code": cast.staff.code, "code_qd20": "Q10.02", "name": cast.staff.name, "where": "unit"},
    }


def test_a_units_qd20_identifier_is_checked_like_an_agencys(cast):
    """A unit's QĐ 20/2020 identifier is checked for its form where units are written (the action; the model's
    validator for any form), refused with a translated message naming the field; another unit's is refused."""
    for bad in ("G22 01", "G22.", "x" * 41, "G22/01"):
        with pytest.raises(ActionRefused) as refused:
            org.create_unit(name="Trung đoàn 9", abbreviation="E9", parent=cast.division, acting=cast.admin,
                            code_qd20=bad)
        assert (refused.value.code, refused.value.field) == ("bad_code_qd20", "code_qd20"), bad
        assert refused.value.message == (f"Mã định danh điện tử {bad} không đúng dạng QĐ 20/2020 (chữ cái, chữ số, "
                                         "dấu chấm, dấu gạch, tối đa 40 ký tự).")
    with translation.override("en"), pytest.raises(ActionRefused) as refused:
        org.create_unit(name="Trung đoàn 9", abbreviation="E9", parent=cast.division, acting=cast.admin,
                        code_qd20="G22 01")
    assert refused.value.message.startswith("Electronic identifier G22 01 is not of the Decision 20/2020 form")
    with pytest.raises(ActionRefused) as refused:  # the QCVN 102 code: a refusal too, no longer a ValidationError
        org.create_unit(name="Trung đoàn 9", abbreviation="E9", parent=cast.division, acting=cast.admin,
                        code="G22.01")
    assert (refused.value.code, refused.value.field) == ("bad_code", "code")
    assert refused.value.message == "Mã định danh G22.01 không đúng dạng 000.00.00.G22 (QCVN 102:2016)."
    assert not Unit.objects.filter(name="Trung đoàn 9").exists()
    assert AuditEvent.objects.filter(verb="org.unit.created.refused").count() == 6

    regiment = org.create_unit(name="Trung đoàn 9", abbreviation="E9", parent=cast.division, acting=cast.admin,
                               code="000.09.01.Q10", code_qd20=" Q10.01.09 ")
    assert (regiment.code, regiment.code_qd20) == ("000.09.01.Q10", "Q10.01.09")
    assert identifiers.as_qcvn102("Q10.01.09") == "000.09.01.Q10"
    with pytest.raises(ActionRefused) as refused:
        org.create_unit(name="Trung đoàn 10", abbreviation="E10", parent=cast.division, acting=cast.admin,
                        code_qd20="Q10.01.09")
    assert (refused.value.code, refused.value.field) == ("duplicate_code_qd20", "code_qd20")
    assert "Trung đoàn 9" in refused.value.message
    regiment.code_qd20 = "Q10 01"
    with pytest.raises(ValidationError) as invalid:  # the model's own validator: what a ModelForm would show
        regiment.full_clean()
    assert "code_qd20" in invalid.value.message_dict


def hub_row(code: str, name: str) -> dict[str, object]:
    return {"code": code, "code102": "", "name": name, "status": 1}


def test_two_agencies_that_swap_names_are_applied_at_once_and_idempotently(cast):
    """The hub swaps two agencies' names (and moves a third onto a freed name): one sync applies it, without
    brackets, inside the one transaction (the unique name is freed before it is taken); the second changes
    nothing."""
    listed = [hub_row("A1", "Sở Nội vụ"), hub_row("A2", "Sở Tư pháp"), hub_row("A3", "Sở Y tế"),
              hub_row("A4", "Sở Xây dựng")]
    sync_agencies(rows=rows(listed), acting=FIXTURES)
    swapped = [hub_row("A1", "Sở Tư pháp"), hub_row("A2", "Sở Nội vụ"), hub_row("A3", "Sở Xây dựng"),
               hub_row("A4", "Sở Giao thông vận tải"), hub_row("A5", "Sở Y tế")]
    first = sync_agencies(rows=rows(swapped), acting=FIXTURES)
    assert first.as_dict() == {"added": 1, "updated": 4, "deactivated": 0, "unchanged": 0, "own_units": 0}
    assert dict(Agency.objects.values_list("code_qd20", "name")) == {
        "A1": "Sở Tư pháp", "A2": "Sở Nội vụ", "A3": "Sở Xây dựng", "A4": "Sở Giao thông vận tải", "A5": "Sở Y tế"}
    assert Agency.objects.get(code_qd20="A1").folded == "so tu phap a1"
    again = sync_agencies(rows=rows(swapped), acting=FIXTURES)
    assert again.as_dict() == {"added": 0, "updated": 0, "deactivated": 0, "unchanged": 5, "own_units": 0}
    back = sync_agencies(rows=rows(listed), acting=FIXTURES)  # and back; A5 vanishes, deactivated, named as it was
    assert (back.updated, back.deactivated) == (4, 1)
    assert dict(Agency.objects.filter(is_active=True).values_list("code_qd20", "name")) == {
        "A1": "Sở Nội vụ", "A2": "Sở Tư pháp", "A3": "Sở Y tế (A3)", "A4": "Sở Xây dựng"}
    assert Agency.objects.get(code_qd20="A5").name == "Sở Y tế"
    assert sync_agencies(rows=rows(listed), acting=FIXTURES).unchanged == 4


def test_a_name_another_agency_keeps_is_refused_before_anything_is_written(cast):
    """An agency the list does not rename keeps its name: a listed name that would end equal to it (a name in
    brackets) is refused naming the line, all rows or none — never a database error half-way."""
    Agency.objects.create(name="Sở Tư pháp (A2)", folded="so tu phap (a2)")  # typed in by hand
    Agency.objects.create(name="Sở Tư pháp", folded="so tu phap")
    with pytest.raises(ActionRefused) as refused:
        sync_agencies(rows=rows([hub_row("A1", "Sở Nội vụ"), hub_row("A2", "Sở Tư pháp"),
                                 hub_row("A3", "Sở Tư pháp")]), acting=FIXTURES)
    assert refused.value.code == "name_taken"
    assert refused.value.message == "Dòng 2: tên “Sở Tư pháp (A2)” đã có cơ quan khác dùng."
    assert Agency.objects.count() == 2
    long_name = "Ủy ban nhân dân " + "x" * 164  # 180: the longest name the list may carry, in brackets ≤ 200
    made = sync_agencies(rows=rows([hub_row("B1." + "9" * 37, long_name), hub_row("B2", long_name)]),
                         acting=FIXTURES)
    assert made.added == 2
    assert max(len(name) for name in Agency.objects.values_list("name", flat=True)) == 200
