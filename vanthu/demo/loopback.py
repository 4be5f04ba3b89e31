"""A whole deployment on loopback (issue 17, docs/deploy.md): nginx in front of N gunicorn app servers, M job
workers, one PostgreSQL database, Redis for the jobs and the cache, and the shared file store — each part its
own process on 127.0.0.1, started and stopped here for the loopback test and `vanthu bench deploy`.

nginx runs unprivileged from a prefix folder (`nginx -p DIR -c nginx.conf`), with the site rendered by
`vanthu deploy nginx` from the same environment the app servers get: the same body limit, static folder and file
store. Every app server names itself in `X-Vanthu-Server` (vanthu/wsgi.py), every worker by `--worker-id`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vanthu.demo.peers import ROOT, free_port

BIN = Path(sys.executable).parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MIME_TYPES = "/etc/nginx/mime.types"

MAIN_CONF = """{user}worker_processes {workers};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
    include {mime};
    default_type application/octet-stream;
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    sendfile on;
    keepalive_timeout 30;
    include {prefix}/site.conf;
}}
"""


def nginx_available() -> bool:
    return Path(NGINX).exists() and Path(MIME_TYPES).exists()


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    port: int = 0
    log: Path | None = None

    def alive(self) -> bool:
        return self.popen.poll() is None


@dataclass
class Loopback:
    """One deployment on loopback. `env` adds to (or overrides) the environment every part gets."""

    root: Path
    database_url: str
    redis_url: str = ""
    app_servers: int = 2
    workers: int = 2
    gunicorn_workers: int = 1
    gunicorn_threads: int = 4
    env: dict[str, str] = field(default_factory=dict)
    apps: list[Process] = field(default_factory=list)
    job_workers: list[Process] = field(default_factory=list)
    proxy: Process | None = None
    port: int = 0
    document: dict[str, object] = field(default_factory=dict)  # what the seed made, for the caller

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def environment(self, **extra: str) -> dict[str, str]:
        # what a test runner sets for itself (Django's async-safety escape of the browser tests) is no deployment's
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("VANTHU_") and k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
        env.update({
            "VANTHU_DATA_DIR": str(self.data_dir), "VANTHU_DATABASE_URL": self.database_url,
            "VANTHU_TESTING": "0", "VANTHU_SECRET_KEY": "loopback-" + "x" * 50, "VANTHU_TSA_URL": "",
            "VANTHU_FILES_HANDOFF": "nginx", "VANTHU_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT),
            "VANTHU_ALLOWED_HOSTS": "127.0.0.1,localhost", "VANTHU_EXCHANGE_SEAL_SECRET": "123456",
        })
        if self.redis_url:
            env["VANTHU_REDIS_URL"] = self.redis_url
            env["VANTHU_JOBS_URL"] = self.redis_url
        env.update(self.env)
        env.update(extra)
        return env

    def cli(self, *args: str, timeout: float = 900) -> str:
        done = subprocess.run([str(BIN / "vanthu"), *args], env=self.environment(), cwd=ROOT, capture_output=True,
                              timeout=timeout)
        if done.returncode != 0:
            raise AssertionError(f"vanthu {' '.join(args)} → {done.returncode}\n{done.stdout.decode()}\n"
                                 f"{done.stderr.decode()}")
        return done.stdout.decode()

    def shell_json(self, code: str) -> Any:
        """Run `vanthu shell -c CODE` in the deployment and read the JSON its last line of output carries."""
        return json.loads(self.cli("shell", "-c", code).strip().splitlines()[-1])

    # --- parts -------------------------------------------------------------------------------------------------

    def prepare(self, *, demo: bool = True, signing: bool = True) -> None:
        """Migrations, static files and the proxy's own pages (`vanthu upgrade`), then the demo organisation
        (without its keys and issued documents when not `signing`: much faster, registered documents only)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.cli("upgrade")
        if demo:
            self.cli("demo", *([] if signing else ["--no-signing"]))

    def start(self) -> None:
        ports = [free_port() for _ in range(self.app_servers)]
        for index, port in enumerate(ports, start=1):
            self.apps.append(self._start_app(index, port))
        for index in range(1, self.workers + 1):
            self.job_workers.append(self._start_worker(index))
        self._start_proxy(ports)
        self.wait_healthy()

    def _log(self, name: str) -> Path:
        (self.root / "logs").mkdir(parents=True, exist_ok=True)
        return self.root / "logs" / f"{name}.log"

    def _spawn(self, name: str, command: list[str], **env: str) -> subprocess.Popen[bytes]:
        log = self._log(name).open("ab")
        return subprocess.Popen(command, env=self.environment(**env), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def _start_app(self, index: int, port: int) -> Process:
        name = f"app-{index}"
        command = [str(BIN / "gunicorn"), "vanthu.wsgi:application", "--bind", f"127.0.0.1:{port}",
                   "--workers", str(self.gunicorn_workers), "--threads", str(self.gunicorn_threads),
                   "--worker-class", "gthread", "--timeout", "120", "--graceful-timeout", "5", "--name", name,
                   "--forwarded-allow-ips", "127.0.0.1"]
        return Process(name, self._spawn(name, command, VANTHU_SERVER_ID=name), port, self._log(name))

    def _start_worker(self, index: int) -> Process:
        name = f"worker-{index}"
        command = [str(BIN / "vanthu"), "worker", "--worker-id", name, "--interval", "0.2"]
        return Process(name, self._spawn(name, command), 0, self._log(name))

    def _start_proxy(self, ports: list[int]) -> None:
        prefix = self.root / "nginx"
        for sub in ("tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
            (prefix / sub).mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.cli("deploy", "nginx", *[a for p in ports for a in ("--upstream", f"127.0.0.1:{p}")],
                 "--listen", f"127.0.0.1:{self.port}", "--server-name", "localhost",
                 "--out", str(prefix / "site.conf"), "--proxy-params", str(prefix / "proxy_params"),
                 "--trace-upstream")
        # Started by root, nginx's workers would drop to `nobody` and could not read the test's private folders.
        import pwd

        user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
        (prefix / "nginx.conf").write_text(MAIN_CONF.format(user=user, workers=1, prefix=prefix, mime=MIME_TYPES))
        command = [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")]
        self.proxy = Process("nginx", subprocess.Popen(command, stdout=self._log("nginx").open("ab"),
                                                       stderr=subprocess.STDOUT, start_new_session=True),
                             self.port, self._log("nginx"))

    def server_of(self, headers: dict[str, str]) -> str:
        """Which app server answered: its own header, or — on a handed-off download, whose headers nginx drops —
        the upstream address nginx names (`--trace-upstream`)."""
        if "X-Vanthu-Server" in headers:
            return headers["X-Vanthu-Server"]
        # "$upstream_addr": the app servers tried, comma-separated (the last one answered), then " : " and the
        # object store's address when the download was fetched from it
        tried = headers.get("X-Vanthu-Upstream", "").split(" : ")[0]
        address = tried.split(",")[-1].strip()
        return next((app.name for app in self.apps if address.endswith(f":{app.port}")), address or "?")

    def wait_healthy(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        targets = [f"http://127.0.0.1:{app.port}/healthz" for app in self.apps] + [f"{self.url}/healthz"]
        pending = list(targets)
        while pending and time.monotonic() < deadline:
            for target in list(pending):
                with contextlib.suppress(OSError, urllib.error.URLError), \
                        urllib.request.urlopen(target, timeout=3):  # noqa: S310 - loopback
                    pending.remove(target)
            if pending:
                time.sleep(0.3)
        if pending:
            raise AssertionError(f"not healthy after {timeout} s: {pending}\n{self.logs_tail()}")

    def app(self, name: str) -> Process:
        return next(app for app in self.apps if app.name == name)

    def app_url(self, name: str) -> str:
        """One app server addressed directly (not through nginx): to pin a step to it."""
        return f"http://127.0.0.1:{self.app(name).port}"

    def restart(self, part: Process) -> Process:
        """Start a killed app server again on its own port, as an operator (or systemd) would, and wait until it
        answers; nginx sends it requests again once its `fail_timeout` has passed."""
        index = self.apps.index(part)
        if part.alive():
            self.kill(part)
        self.apps[index] = self._start_app(index + 1, part.port)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError, urllib.error.URLError), \
                    urllib.request.urlopen(f"{self.app_url(part.name)}/healthz", timeout=3):  # noqa: S310
                return self.apps[index]
            time.sleep(0.3)
        raise AssertionError(f"{part.name} did not answer after its restart\n{self.logs_tail()}")

    def kill(self, part: Process) -> None:
        """Kill a part at once (SIGKILL to its process group), as a crashed machine would, and return once its port
        refuses connections. The wait on the process is the gunicorn master's only: its worker, signalled at the
        same moment but the master's child (not waited for here), holds the listening socket until it has exited,
        and until then the port still takes connections — into the backlog, reset when the worker is gone. A
        request nginx sent there meanwhile failed after being sent (for a POST, which nginx does not pass on, the
        proxy's own 502) where it should have been refused at connect and passed on to the next server."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(part.popen.pid, signal.SIGKILL)
        part.popen.wait(timeout=10)
        if part.port:
            self._wait_refused(part)

    @staticmethod
    def _wait_refused(part: Process, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", part.port), timeout=1):
                    pass
            except ConnectionRefusedError:  # nothing listens there any more
                return
            except OSError:  # a connection not answered (a full backlog): still there
                pass
            time.sleep(0.01)
        raise AssertionError(f"{part.name} was killed but its port {part.port} still takes connections")

    def stop(self) -> None:
        parts = [*self.apps, *self.job_workers, *([self.proxy] if self.proxy else [])]
        for part in parts:
            if part.alive():
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(part.popen.pid, signal.SIGTERM)
        for part in parts:
            try:
                part.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill(part)

    def logs_tail(self, lines: int = 15) -> str:
        out = []
        for log in sorted((self.root / "logs").glob("*.log")) if (self.root / "logs").exists() else []:
            text = log.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {log.name}\n" + "\n".join(text))
        return "\n".join(out)

    def __enter__(self) -> Loopback:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
