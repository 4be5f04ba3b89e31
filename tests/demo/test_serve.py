"""`vanthu serve`: what the run command prints and how it logs requests (the server itself is waitress)."""

from __future__ import annotations

from io import StringIO

import pytest

from vanthu.demo.characters import DEMO_PASSWORD
from vanthu.demo.management.commands.serve import Command, request_logger


@pytest.mark.django_db
def test_banner_lists_the_four_main_characters_first_with_password_and_pin(cast):
    out = StringIO()
    command = Command(stdout=out)
    command.banner("127.0.0.1", 8123)
    text = out.getvalue()
    assert "http://127.0.0.1:8123" in text
    rows = [line.split()[0] for line in text.splitlines() if line.startswith("  ") and DEMO_PASSWORD in line]
    assert rows[:4] == ["hoa", "hung", "lan", "minh"]
    assert "PIN" in text
    assert "Demo accounts" in text


@pytest.mark.django_db
def test_prepare_without_demo_migrates_and_collects_static_but_creates_no_unit(settings, tmp_path):
    from vanthu.org.models import Unit

    settings.STATIC_ROOT = tmp_path / "static"
    Command(stdout=StringIO()).prepare(load_demo=False)
    assert (tmp_path / "static").is_dir()
    assert not Unit.objects.exists()


def test_request_log_line_has_method_path_status_and_time():
    lines: list[str] = []

    def app(environ, start_response):
        start_response("302 Found", [("Location", "/login/")])
        return [b""]

    logged = request_logger(app, lines.append)
    logged({"REQUEST_METHOD": "GET", "PATH_INFO": "/inbox/"}, lambda status, headers, exc_info=None: None)
    logged({"REQUEST_METHOD": "GET", "PATH_INFO": "/static/vanthu/app.css"}, lambda *a: None)
    assert len(lines) == 1
    assert lines[0].startswith("GET /inbox/ 302 ")
    assert lines[0].endswith(" ms")
