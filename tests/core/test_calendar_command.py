"""`vanthu calendar show|add-off|add-working`: results on stdout, messages on stderr, as the operator."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from vanthu.audit.models import AuditEvent
from vanthu.core.models import CalendarException


def test_show_json_lists_holidays_and_make_up_days(db, capsys):
    call_command("calendar", "add-working", "2026-08-22", "--reason", "9441/TB-BNV: làm bù")
    call_command("calendar", "add-off", "31/08/2026", "--reason", "9441/TB-BNV: nghỉ hoán đổi")
    capsys.readouterr()
    call_command("calendar", "show", "2026", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["provisional"] is True
    off = {item["date"]: item for item in out["days_off"]}
    assert off["2026-08-31"]["source"] == "notice"
    assert off["2026-04-27"]["source"] == "compensatory"
    assert off["2026-11-24"]["source"] == "statutory"
    assert [w["date"] for w in out["working_days"]] == ["2026-08-22"]
    event = AuditEvent.objects.get(verb="core.calendar.day_set", data__date="2026-08-31")
    assert event.actor_name.startswith("system:operator ")


def test_show_text_goes_to_stdout_and_the_warning_to_stderr(db, capsys):
    call_command("calendar", "show", "2027")
    captured = capsys.readouterr()
    assert "T7 06/02/2027" in captured.out
    assert "Nghỉ bù" in captured.out
    assert "tạm tính" in captured.err
    assert "tạm tính" not in captured.out


def test_bad_input_is_refused_without_change(db):
    with pytest.raises(CommandError, match="Ngày không hợp lệ"):
        call_command("calendar", "add-off", "31-08-2026", "--reason", "x")
    with pytest.raises(CommandError, match="đã là ngày nghỉ"):
        call_command("calendar", "add-off", "2026-09-02", "--reason", "x")
    assert not CalendarException.objects.exists()
