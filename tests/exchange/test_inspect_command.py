"""`vanthu edxml inspect FILE [--json]`: results on stdout, messages on stderr; exit 0 valid, 2 invalid, 1 error."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.exchange.conftest import SAMPLES, document, status
from vanthu.exchange.edxml import build_document, build_status, sign

VANTHU = str(Path(sys.executable).with_name("vanthu"))


def inspect(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([VANTHU, "edxml", "inspect", str(path), *args], capture_output=True, text=True,
                          timeout=120, env={"PATH": str(Path(sys.executable).parent), "VANTHU_TESTING": "1",
                                            "HOME": str(path.parent)})


def _write(folder: Path, name: str, data: bytes) -> Path:
    target = folder / name
    target.write_bytes(data)
    return target


@pytest.fixture
def signed_plan(tmp_path, staff_key) -> Path:
    data = sign(build_document(document()), key=staff_key.key, certificate=staff_key.certificate)
    return _write(tmp_path, "12-KH-TM.edxml", data)


def test_signed_document_prints_everything_and_exits_0(signed_plan):
    result = inspect(signed_plan, "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["valid"] is True
    assert out["kind"] == "document"
    assert out["from"] == {"organ_id": "000.00.02.Q10", "name": "Bộ Tham mưu"}
    assert out["to"] == [{"organ_id": "000.00.10.Q10", "name": "Sư đoàn 301"},
                         {"organ_id": "000.00.11.Q10", "name": "Bộ Chỉ huy Quân sự tỉnh A"}]
    assert out["code"] == {"number": "12", "notation": "KH-TM"}
    assert out["promulgation"] == {"place": "Đà Nẵng", "date": "2026-11-20"}
    assert out["document_type"] == {"type": 1, "name": "Kế hoạch"}
    assert out["subject"] == "Kế hoạch huấn luyện dự bị động viên năm 2027"
    assert out["priority"] == {"code": 1, "label": "Khẩn"}
    assert out["due_date"] == "2026-12-15"
    assert out["signer"] == {"competence": "", "position": "Tham mưu trưởng", "full_name": "Hoàng Văn Sơn"}
    assert out["business"]["type"] == 0
    (attachment,) = out["attachments"]
    assert attachment["name"] == "12-KH-TM.pdf"
    assert attachment["kind"] == "pdf"
    assert len(attachment["sha256"]) == 64
    assert attachment["size"] > 0
    assert out["signature"]["present"] is True
    assert out["signature"]["valid"] is True
    assert out["signature"]["algorithm"] == "rsa-sha256"
    assert "Bộ Tham mưu" in out["signature"]["signer"]
    assert out["errors"] == []
    assert result.stderr == ""


def test_text_output_goes_to_stdout_in_vietnamese(signed_plan):
    result = inspect(signed_plan)
    assert result.returncode == 0
    assert "Nơi gửi: 000.00.02.Q10 — Bộ Tham mưu" in result.stdout
    assert "Số, ký hiệu: 12/KH-TM" in result.stdout
    assert "Độ khẩn: 1 Khẩn" in result.stdout
    assert "Chữ ký số: HỢP LỆ; thuật toán rsa-sha256" in result.stdout
    assert "Kết luận: gói tin hợp lệ" in result.stdout
    assert result.stderr == ""


def test_tampered_document_exits_2_with_the_reason_on_stderr(signed_plan):
    signed_plan.write_bytes(signed_plan.read_bytes().replace("dự bị".encode(), "thường trực".encode(), 1))
    result = inspect(signed_plan, "--json")
    assert result.returncode == 2
    out = json.loads(result.stdout)
    assert out["valid"] is False
    assert out["signature"]["valid"] is False
    assert out["subject"] == "Kế hoạch huấn luyện thường trực động viên năm 2027"  # what it says, still shown
    assert "đã bị sửa sau khi ký" in result.stderr


def test_invalid_envelope_exits_2_with_the_field_in_json_and_stderr():
    result = inspect(SAMPLES / "gateway_2025_long_code.edxml", "--json")
    assert result.returncode == 2
    out = json.loads(result.stdout)
    assert out["valid"] is False
    assert out["errors"] == [{"field": "MessageHeader/Code/CodeNumber", "code": "too_long",
                              "message": "«MessageHeader/Code/CodeNumber» dài 24 ký tự, vượt quá 11 ký tự cho phép."}]
    assert "«MessageHeader/Code/CodeNumber» dài 24 ký tự" in result.stderr


def test_status_message_from_another_system(tmp_path):
    result = inspect(SAMPLES / "vxp_status_02_refused.edxml", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["kind"] == "status"
    assert out["from"] == {"organ_id": "000.00.00.H41", "name": "UBND Tỉnh Nghệ An"}
    assert out["status"]["code"] == "02"
    assert out["status"]["label"] == "Từ chối tiếp nhận"
    assert out["status"]["answers"] == {"organ_id": "000.00.00.G22", "code": "7816/VPCP-TTĐT",
                                        "document_id": "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT",
                                        "promulgation_date": "2015-09-30"}
    assert out["signature"]["present"] is False
    assert "Gói tin không có chữ ký số." in result.stderr


def test_unsigned_message_is_invalid_when_a_signature_is_required(tmp_path):
    path = _write(tmp_path, "status.edxml", build_status(status()))
    assert inspect(path).returncode == 0
    result = inspect(path, "--require-signature")
    assert result.returncode == 2
    assert "không có chữ ký số" in result.stderr


def test_unreadable_file_exits_1(tmp_path):
    result = inspect(tmp_path / "missing.edxml")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Không đọc được tệp" in result.stderr


def test_xxe_file_exits_2(tmp_path):
    path = _write(tmp_path, "xxe.edxml", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                                        b"<edXML>&e;</edXML>")
    result = inspect(path, "--json")
    assert result.returncode == 2
    out = json.loads(result.stdout)
    assert out["errors"][0]["code"] == "dtd"
    assert out["signature"] is None
    assert "root:" not in result.stdout


def test_oversize_file_exits_2(tmp_path):
    path = _write(tmp_path, "big.edxml", b"<edXML>" + b" " * (1024 * 1024 + 1) + b"</edXML>")
    result = inspect(path, "--json", "--max-mb", "1")
    assert result.returncode == 2
    assert json.loads(result.stdout)["errors"][0]["code"] == "too_large"


def test_call_command_separates_stdout_and_stderr(signed_plan):
    out, err = io.StringIO(), io.StringIO()
    signed_plan.write_bytes(signed_plan.read_bytes().replace(b"<edXML:Priority>1<", b"<edXML:Priority>9<"))
    with pytest.raises(SystemExit) as exited:
        call_command("edxml", "inspect", str(signed_plan), "--json", stdout=out, stderr=err)
    assert exited.value.code == 2
    result = json.loads(out.getvalue())
    assert result["errors"][0]["field"] == "MessageHeader/OtherInfo/Priority"
    assert "MessageHeader/OtherInfo/Priority" in err.getvalue()
    assert "{" not in err.getvalue()


def test_english_messages_with_the_english_locale(signed_plan):
    from django.utils import translation

    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"), pytest.raises(SystemExit) as exited:
        call_command("edxml", "inspect", str(signed_plan), stdout=out, stderr=err)
    assert exited.value.code == 0
    assert "Sender: 000.00.02.Q10 — Bộ Tham mưu" in out.getvalue()
    assert "Conclusion: the message is valid" in out.getvalue()
