"""`vanthu serve`: what the run command prints and how it logs requests (the server itself is waitress)."""

from __future__ import annotations

from io import StringIO

import pytest

from tests import dbtemplate
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


def test_the_run_command_starts_one_worker_that_stops_with_it(tmp_path):
    """`vanthu serve` starts `vanthu worker` as its child; the worker ends with the server, even when the
    server is killed outright (Linux parent-death signal)."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "VANTHU_TESTING": "0", "VANTHU_DATA_DIR": str(tmp_path), "PYTHONPATH": str(root),
           "VANTHU_DATABASE_URL": f"sqlite:///{dbtemplate.copy_sqlite(tmp_path / 'db.sqlite3')}", "VANTHU_JOBS_URL": ""}
    subprocess.run([sys.executable, "-c", "from vanthu.cli import main; main()", "migrate", "-v", "0"], env=env,
                   check=True, cwd=root, timeout=300)
    server = subprocess.Popen(  # a stand-in for the server process: starts the worker as serve does, then waits
        [sys.executable, "-c", "import os, time, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'vanthu.settings'; "
         "django.setup(); from vanthu.demo.management.commands.serve import start_worker; "
         "w = start_worker(); print(w.pid, flush=True); time.sleep(600)"],
        env=env, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert server.stdout is not None
    worker_pid = int(server.stdout.readline())
    os.kill(worker_pid, 0)  # the worker runs
    server.send_signal(signal.SIGKILL)
    server.wait()
    give_up = time.monotonic() + 60
    while True:
        try:
            os.kill(worker_pid, 0)
            with open(f"/proc/{worker_pid}/stat") as stat:
                if stat.read().split()[2] == "Z":
                    break  # exited, waiting to be reaped by init
        except (ProcessLookupError, FileNotFoundError):
            break
        assert time.monotonic() < give_up, "the worker outlived the killed server"
        time.sleep(0.1)


def test_stop_worker_asks_then_waits():
    import subprocess
    import sys

    from vanthu.demo.management.commands.serve import stop_worker

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    stop_worker(child, timeout=30)
    assert child.returncode is not None
