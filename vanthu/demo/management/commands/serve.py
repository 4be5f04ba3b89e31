"""`vanthu serve`: prepare the database and files, load the demo once, and serve vanthu with waitress.

This is what the run command calls: migrate, compile translations (.po → .mo with polib), collect static
files (served by WhiteNoise), create the demo organisation on an empty database (not with --no-demo), print
the address and the demo accounts in Vietnamese and English, start one job worker (`vanthu worker`, a child
process that dies with the server; not with --no-worker), then serve until Ctrl-C.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from vanthu.org.models import Person, Role, UnitKind

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

# The characters to try first, with who they are in English: the four main ones, then the rest of the cast.
MAIN_CHARACTERS: list[tuple[str, str]] = [
    ("hoa", "registry clerk of the Command"),
    ("hung", "commander of the Military Region: directs and signs"),
    ("lan", "registry clerk of the Staff"),
    ("minh", "staff officer of Division 301: handles documents"),
    ("son", "Chief of Staff: directs, reviews, signs"),
    ("quang", "Operations officer: drafts documents"),
    ("dung", "commander of Division 301"),
    ("binh", "deputy commander: signs KT. (on behalf of the commander)"),
    ("tam", "officer of Provincial Military Command A: an outsider to the Staff's documents"),
    ("quantri", "IT administrator"),
    ("bao", "security officer of the Command: the read audit, rights alerts, freezing records"),
]


def request_logger(app: WsgiApp, write: Callable[[str], None]) -> WsgiApp:
    """One short line per request: method, path, status, milliseconds."""

    def logged(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        began = time.perf_counter()
        status_holder: list[str] = []

        def recording_start(status: str, headers: Any, exc_info: Any = None) -> Any:
            status_holder.append(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        try:
            return app(environ, recording_start)
        finally:
            elapsed = (time.perf_counter() - began) * 1000
            path = environ.get("PATH_INFO", "")
            if not path.startswith("/static/"):
                status = status_holder[0] if status_holder else "---"
                write(f"{environ.get('REQUEST_METHOD', '?')} {path} {status} {elapsed:.0f} ms")

    return logged


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the worker gets SIGTERM when the server process ends, even if the server is killed."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_worker() -> subprocess.Popen[bytes]:
    """One `vanthu worker` beside the web server, sharing its settings (environment) and output."""
    command = [sys.executable, "-c", "from vanthu.cli import main; main()", "worker"]
    return subprocess.Popen(command, preexec_fn=_die_with_parent if sys.platform == "linux" else None)


def stop_worker(worker: subprocess.Popen[bytes], *, timeout: float = 30) -> None:
    """Ask the worker to stop (it finishes the job in hand), then kill it if it does not within `timeout`."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def account_rows() -> list[tuple[str, str, str]]:
    """(username, who in Vietnamese, who in English) for the demo accounts worth trying."""
    by_username = {p.user.username: p for p in Person.objects.select_related("user", "unit")
                   .filter(user__username__in=[u for u, _ in MAIN_CHARACTERS])}
    rows: list[tuple[str, str, str]] = []
    for username, english in MAIN_CHARACTERS:
        person = by_username.get(username)
        if person is not None:
            rows.append((username, f"{person.position}, {person.unit.short_name or person.unit.name}", english))
    clerks = (Person.objects.select_related("user", "unit")
              .filter(roles__role=Role.CLERK, unit__kind__in=[UnitKind.AGENCY, UnitKind.LEVEL2])
              .exclude(user__username__in=[u for u, _ in MAIN_CHARACTERS]).order_by("unit__path").distinct())
    for person in clerks:
        rows.append((person.user.username, f"{person.position}, {person.unit.short_name or person.unit.name}",
                     "registry clerk"))
    return rows


class Command(BaseCommand):
    help = "Chuẩn bị cơ sở dữ liệu, tạo dữ liệu minh họa (lần đầu) và chạy máy chủ vanthu."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Địa chỉ lắng nghe (mặc định %(default)s).")
        parser.add_argument("--port", type=int, default=8000, help="Cổng (mặc định %(default)s).")
        parser.add_argument("--threads", type=int, default=8, help="Số luồng phục vụ (mặc định %(default)s).")
        parser.add_argument("--no-demo", action="store_true", help="Không tạo dữ liệu minh họa.")
        parser.add_argument("--no-worker", action="store_true",
                            help="Không chạy tiến trình việc nền kèm theo (đã chạy vanthu worker riêng).")

    def handle(self, *args: Any, **options: Any) -> None:
        self.prepare(load_demo=not options["no_demo"])
        worker = None if options["no_worker"] else start_worker()
        try:
            self.serve(options["host"], options["port"], threads=options["threads"], worker=worker is not None)
        finally:
            if worker is not None:
                stop_worker(worker)

    def say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()

    def prepare(self, *, load_demo: bool) -> None:
        from vanthu.core.management.commands.compiletranslations import compile_catalogs
        from vanthu.org.models import Unit

        self.say(_("Cập nhật cơ sở dữ liệu…") + " / Migrating the database…")
        call_command("migrate", interactive=False, verbosity=0)
        compile_catalogs()
        call_command("collectstatic", interactive=False, verbosity=0)
        if load_demo and not Unit.objects.exists():
            from vanthu.demo.build import build_demo
            from vanthu.demo.management.commands.demo import describe

            self.say(_("Tạo dữ liệu minh họa (chỉ lần đầu, khoảng 2 phút)…")
                     + " / Creating the demo data (first run only, about 2 minutes)…")
            summary = build_demo(progress=lambda step: self.say(f"  … {step}"))
            for line in describe(summary):
                self.say(line)

    def banner(self, host: str, port: int, *, worker: bool = False) -> None:
        from vanthu.demo.build import demo_loaded
        from vanthu.demo.characters import DEMO_PASSWORD

        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
        url = f"http://{shown_host}:{port}"
        line = "─" * 100
        self.say(line)
        self.say(_("vanthu đang chạy tại %(url)s") % {"url": url} + f"   /   vanthu is running at {url}")
        if worker:
            self.say(_("Việc nền: một tiến trình xử lý (vanthu worker) chạy kèm và dừng cùng máy chủ.")
                     + "   /   Jobs: one worker (vanthu worker) runs beside the server and stops with it.")
        if demo_loaded():
            from vanthu.signing.testing import SIGNING_SECRET

            self.say(_("Tài khoản minh họa (mật khẩu chung: %(p)s)") % {"p": DEMO_PASSWORD}
                     + f"   /   Demo accounts (password for all: {DEMO_PASSWORD})")
            self.say(_("Mã PIN khóa ký số của người ký: %(pin)s") % {"pin": SIGNING_SECRET}
                     + f"   /   Signing key PIN of the signers: {SIGNING_SECRET}")
            self.say(_("Mã xác thực hai lớp (khi ký số, quản trị): chạy «vanthu otp code TÊN_ĐĂNG_NHẬP»")
                     + "   /   Second-factor code (signing, admin): run `vanthu otp code USERNAME`")
            self.say(f"  {_('Tên đăng nhập'):<14}{_('Mật khẩu'):<12}{_('Chức vụ, đơn vị')}  /  who")
            for username, vietnamese, english in account_rows():
                self.say(f"  {username:<14}{DEMO_PASSWORD:<12}{vietnamese}  /  {english}")
        self.say(_("Nhấn Ctrl-C để dừng.") + "   /   Press Ctrl-C to stop.")
        self.say(line)

    def serve(self, host: str, port: int, *, threads: int, worker: bool = False) -> None:
        from waitress.server import create_server

        from vanthu.wsgi import application

        try:
            server = create_server(request_logger(application, self.say), host=host, port=port, threads=threads,
                                   ident="vanthu")
        except OSError as exc:
            self.stderr.write(_("Không mở được cổng %(port)s: %(why)s") % {"port": port, "why": exc})
            sys.exit(1)
        self.banner(host, port, worker=worker)
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
        self.say(_("Đã dừng máy chủ.") + " / Server stopped.")
