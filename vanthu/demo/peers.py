"""Real peers for the exchange's tests, fault run and benchmark: each deployment is its own vanthu process with
its own VANTHU_DATA_DIR and SQLite database, served by `vanthu runserver --noreload` on 127.0.0.1 at a free port.
The caller drives each deployment through its CLI (`vanthu peers …`, `vanthu outbox deliver`) and `vanthu shell
-c` running the functions of `vanthu.demo.peers_side` (set-up, issuing, registering, reading the state)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout: subprocesses import vanthu from it
VANTHU = str(Path(sys.executable).parent / "vanthu")


def group_cpu_seconds(group: int) -> float:
    """CPU time (user + system) used so far by the processes of process group `group` (Linux)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group:  # field 5 of stat: the process group
            total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def base_env(data_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VANTHU_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update({
        "VANTHU_DATA_DIR": str(data_dir), "VANTHU_TESTING": "0", "VANTHU_TSA_URL": "", "VANTHU_SECRET_KEY": "x" * 50,
        "VANTHU_EXCHANGE_SEAL_SECRET": "123456", "VANTHU_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT),
        "VANTHU_EXCHANGE_HTTP_TIMEOUT": "10",
    })
    env.update(extra or {})
    return env


class Deployment:
    def __init__(self, *, name: str, data_dir: Path, suffix: str, template: Path | None = None,
                 env: dict[str, str] | None = None, server: str = "runserver",
                 server_env: dict[str, str] | None = None) -> None:
        """`server`: "runserver" (Django's development server, the tests), "waitress" (`vanthu serve`, the
        server of the run command, without demo and worker: the benchmark) or "gunicorn:N" (N pre-forked
        processes, as the app servers of docs/deploy.md); `server_env`: added to the server's environment only."""
        self.name, self.data_dir, self.suffix, self.server_kind = name, data_dir, suffix, server
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server: subprocess.Popen[bytes] | None = None
        data_dir.mkdir(parents=True, exist_ok=True)
        if template is not None:
            shutil.copytree(template, data_dir, dirs_exist_ok=True)
        self.env = base_env(data_dir, env)
        self.server_env = server_env or {}

    def cli(self, *args: str, check: bool = True, timeout: float = 600) -> str:
        done = subprocess.run([VANTHU, *args], env=self.env, cwd=ROOT, capture_output=True, timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"{self.name}: vanthu {' '.join(args)} → {done.returncode}\n"
                                 f"{done.stdout.decode()}\n{done.stderr.decode()}")
        return done.stdout.decode()

    def call(self, function: str, **kwargs: object) -> object:
        """Run vanthu.demo.peers_side.<function>(**kwargs) inside this deployment; its JSON result."""
        arguments = json.dumps(json.dumps(kwargs))
        return self.script(f"import json; from vanthu.demo import peers_side as s; "
                           f"print('RESULT' + json.dumps(s.{function}(**json.loads({arguments}))))")

    def script(self, code: str, **names: object) -> object:
        """Run `code` inside this deployment (`vanthu shell -c`), each of `names` bound first to its value (as its
        repr); what the code printed after its last RESULT, read as JSON (the profile scripts' measurements)."""
        prelude = "".join(f"{name} = {value!r}\n" for name, value in names.items())
        out = self.cli("shell", "-c", prelude + code)
        line = [x for x in out.splitlines() if x.startswith("RESULT")][-1]
        return json.loads(line[len("RESULT"):])

    def spawn(self, function: str, module: str = "peers_stream", env: dict[str, str] | None = None,
              **kwargs: object) -> subprocess.Popen[bytes]:
        """Start vanthu.demo.<module>.<function>(**kwargs) inside this deployment, in its own process (with
        `env` added to the deployment's); its JSON result from `finish`."""
        code = (f"import json; from vanthu.demo import {module} as s; "
                f"print('RESULT' + json.dumps(s.{function}(**json.loads({json.dumps(json.dumps(kwargs))}))))")
        return subprocess.Popen([VANTHU, "shell", "-c", code], env={**self.env, **(env or {})}, cwd=ROOT,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)

    def finish(self, process: subprocess.Popen[bytes], *, timeout: float = 1800) -> object:
        out, err = process.communicate(timeout=timeout)
        lines = [x for x in out.decode().splitlines() if x.startswith("RESULT")]
        if process.returncode != 0 or not lines:
            raise AssertionError(f"{self.name}: {process.args!r} → {process.returncode}\n{err.decode()}")
        return json.loads(lines[-1][len("RESULT"):])

    def start(self) -> None:
        log = (self.data_dir / "server.log").open("ab")
        if self.server_kind == "waitress":
            command = [VANTHU, "serve", "--no-demo", "--no-worker", "--host", "127.0.0.1", "--port", str(self.port)]
        elif self.server_kind.startswith("gunicorn"):  # "gunicorn" or "gunicorn:N" (N processes), as in production
            processes = self.server_kind.partition(":")[2] or "2"
            command = [str(Path(VANTHU).parent / "gunicorn"), "vanthu.wsgi:application", "--bind",
                       f"127.0.0.1:{self.port}", "--workers", processes, "--threads", "4", "--worker-class", "gthread",
                       "--timeout", "120", "--graceful-timeout", "5"]
        else:
            command = [VANTHU, "runserver", "--noreload", f"127.0.0.1:{self.port}"]
        self.server = subprocess.Popen(command, env={**self.env, **self.server_env}, cwd=ROOT, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2):  # noqa: S310 - loopback
                    self._settle(deadline)
                    return
            except OSError as exc:
                if self.server.poll() is not None:
                    raise AssertionError(f"{self.name} did not start: {(self.data_dir / 'server.log').read_text()}") \
                        from exc
                time.sleep(0.2)
        raise AssertionError(f"{self.name} did not answer on {self.url}")

    def _settle(self, deadline: float) -> None:
        """Until the server's processes use no more CPU (a quarter second with less than 10 ms): gunicorn's other
        workers may still be starting, and warming (vanthu/wsgi.py), after the first one answered."""
        last = self.cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(0.25)
            now = self.cpu_seconds()
            if now - last < 0.01:
                return
            last = now

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the server and its children (its process group; Linux)."""
        if self.server is None:
            return 0.0
        return group_cpu_seconds(self.server.pid)

    def kill(self) -> None:
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGKILL)
            self.server.wait(timeout=30)
        self.server = None


def template(data_dir: Path) -> Path:
    """A migrated, empty deployment to copy (migrating once per test session)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([VANTHU, "migrate", "--no-input", "-v", "0"], env=base_env(data_dir), cwd=ROOT,
                          capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode()
    return data_dir


def connect(a: Deployment, b: Deployment) -> None:
    """Each deployment adds the other to its peer directory, with the other's trust roots."""
    for here, there in ((a, b), (b, a)):
        identity = json.loads(there.cli("peers", "self", "--json"))
        pem = here.data_dir / f"{there.name}.pem"
        pem.write_text(identity["trust_roots"], encoding="ascii")
        here.cli("peers", "add", there.name, "--organ", f"*.{there.suffix}", "--url", there.url,
                 "--trust-roots", str(pem))


def regions(root: Path, base: Path, *, env: dict[str, str] | None = None, server: str = "runserver",
            server_env: Callable[[str], dict[str, str] | None] | None = None) -> tuple[Deployment, Deployment]:
    """Military Regions 10 and 11 (MR10 sends, MR11 receives), set up from `base` and in each other's peer
    directories, not started: what every exchange benchmark and profile starts from. `server_env(name)` gives a
    deployment's server its own extra environment."""
    pair = tuple(Deployment(name=name, data_dir=root / name, suffix=suffix, template=base, env=env, server=server,
                            server_env=server_env(name) if server_env else None)
                 for name, suffix in (("qk10", "Q10"), ("qk11", "Q11")))
    a, b = pair
    a.call("setup", suffix="Q10")
    b.call("setup", suffix="Q11")
    connect(a, b)
    return a, b


def issued_regions(root: Path, documents: int) -> tuple[Deployment, Deployment]:
    """`regions` under `root` (served by waitress, vanthu's speed-ups on, batches of 25) with `documents` issued by
    MR10 to MR11's Division 301 and not yet delivered: where the profile scripts start."""
    flag = {"VANTHU_SIGNING_SPEEDUPS": "1", "VANTHU_EXCHANGE_BATCH": "25"}
    a, b = regions(root, template(root / "t"), env=flag, server="waitress")
    a.call("issue", to=["000.00.10.Q11"], count=documents, subject="Điện")
    return a, b


def deliver_until_done(sender: Deployment, *, rounds: int = 30) -> int:
    """`vanthu outbox deliver` on `sender` until nothing waits (or `rounds` passes); the passes it took."""
    for done in range(1, rounds + 1):
        out = sender.cli("outbox", "deliver", timeout=4 * 3600)  # 1,000 deliveries on a busy machine: an hour
        if "waiting:" not in out:
            return done
    return rounds


class Killer:
    """Kills `victim` at random moments and starts it again at once, until stopped (the fault test)."""

    def __init__(self, victim: Deployment, *, seed: int, low: float = 0.5, high: float = 4.0) -> None:
        import random
        import threading

        self.victim, self.random, self.low, self.high = victim, random.Random(seed), low, high
        self.kills = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Killer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=120)
        if self.victim.server is None or self.victim.server.poll() is not None:
            self.victim.start()

    def _run(self) -> None:
        while not self._stop.wait(self.random.uniform(self.low, self.high)):
            self.victim.kill()
            self.kills += 1
            self.victim.start()


def fault_run(a: Deployment, b: Deployment, *, documents: int, seed: int = 8) -> dict[str, object]:
    """Issue `documents` from a to b's division while b is killed and restarted at random; b registers them
    while a is killed and restarted at random. What each side holds afterwards."""
    started = time.monotonic()
    a.call("issue", to=[f"000.00.10.{b.suffix}"], count=documents, subject="Điện khẩn")
    with Killer(b, seed=seed) as killing_b:
        passes_a = deliver_until_done(a)
    registered = b.call("register_all")
    with Killer(a, seed=seed + 1) as killing_a:
        passes_b = deliver_until_done(b)
    return {"documents": documents, "kills_of_receiver": killing_b.kills, "kills_of_sender": killing_a.kills,
            "delivery_passes": passes_a, "status_passes": passes_b, "registered": registered,
            "seconds": round(time.monotonic() - started, 1), "sender": a.call("state"), "receiver": b.call("state")}
