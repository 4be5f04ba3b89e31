"""`vanthu bench deploy` (issue 17): the deployment of docs/deploy.md on loopback, measured side by side in one run.

1. **Pages through nginx with 1 and with 2 app server processes** (gunicorn, one process of 4 threads each): a fixed
   mix of a registry clerk's and a commander's pages (inbox, registers, "my work", document pages), sent by
   `--concurrency` logged-in sessions with keep-alive connections, `--requests` per configuration after a warm-up.
   Printed: requests per second, p50/p95, and CPU seconds per 1,000 requests of each part — the app servers (every
   process of their groups), PostgreSQL (the backends of this deployment's database), Redis, nginx, and the load
   generator (this process) — read from /proc before and after.
2. **A large signed PDF** (`--download-mb`, default 20) downloaded `--downloads` times through nginx: handed off to
   nginx (X-Accel-Redirect, VANTHU_FILES_HANDOFF=nginx) against streamed by Python (the same app server without the
   hand-off), then the same bytes from nginx alone as a static file (the floor), then through the **signed link**
   the API's document answer gives (decision 0035: nginx checks it and sends the file, no app request per
   download): MB/s and the app server's CPU per download. After the links' loop, `vanthu files record-reads`
   turns nginx's link log into read events: the bench fails when it records another number than the downloads.

Figures only; nothing here asserts a time. PostgreSQL and Redis are the machine's (VANTHU_DATABASE_URL's server,
`--redis-url`); the bench makes its own database (`--database-name`, dropped first).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import secrets
import shutil
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlencode

from vanthu.demo.characters import DEMO_PASSWORD
from vanthu.demo.loopback import Loopback

TICKS = os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0


# --- CPU of processes, from /proc ----------------------------------------------------------------------------


def _stat(pid: int) -> tuple[str, int, float] | None:
    """(command name, process group, CPU seconds) of a process, None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = raw[raw.index("(") + 1: raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2:].split()
    return name, int(fields[2]), (int(fields[11]) + int(fields[12])) / TICKS


def _all_pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def cpu_of_groups(groups: list[int]) -> float:
    total = 0.0
    for pid in _all_pids():
        stat = _stat(pid)
        if stat and stat[1] in groups:
            total += stat[2]
    return total


def cpu_of_named(name: str) -> float:
    total = 0.0
    for pid in _all_pids():
        stat = _stat(pid)
        if stat and stat[0].startswith(name):
            total += stat[2]
    return total


def cpu_of_pids(pids: list[int]) -> float:
    return sum(stat[2] for pid in pids if (stat := _stat(pid)))


def self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- a logged-in browser -------------------------------------------------------------------------------------


@dataclass
class Browser:
    """One person's session on one keep-alive connection to nginx (cookies kept by hand)."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
            try:
                self.connection.request(method, path, body=body, headers=sent)
                response = self.connection.getresponse()
                data = response.read()
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = None
                if attempt:
                    raise
                continue
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        raise AssertionError("unreachable")

    def login(self, username: str) -> None:
        self.request("GET", "/login/")
        form = urlencode({"username": username, "password": DEMO_PASSWORD,
                          "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}).encode()
        status, _headers, _body = self.request(
            "POST", "/login/", form, {"Content-Type": "application/x-www-form-urlencoded",
                                      "Referer": f"http://127.0.0.1:{self.port}/login/"})
        if status != 302:
            raise AssertionError(f"login of {username}: {status}")


# --- the runs --------------------------------------------------------------------------------------------------


@dataclass
class PageRun:
    label: str
    requests: int
    seconds: float
    latencies: list[float]
    errors: int
    cpu: dict[str, float]


def run_pages(loopback: Loopback, mix: dict[str, list[str]], *, requests: int, concurrency: int,
              database: str, label: str) -> PageRun:
    people = list(mix)
    browsers = []
    for index in range(concurrency):
        browser = Browser(loopback.port)
        browser.login(people[index % len(people)])
        browsers.append((browser, mix[people[index % len(people)]]))
    for browser, pages in browsers:  # warm-up: every page once per session
        for page in pages:
            browser.request("GET", page)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    remaining = [requests]

    def work(browser: Browser, pages: list[str]) -> None:
        index = 0
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            began = time.perf_counter()
            status, _headers, _body = browser.request("GET", pages[index % len(pages)])
            elapsed = (time.perf_counter() - began) * 1000
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    errors[0] += 1
            index += 1

    before = snapshot(loopback, database)
    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=pair) for pair in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    after = snapshot(loopback, database)
    return PageRun(label, requests, seconds, latencies, errors[0], {k: after[k] - before[k] for k in after})


def postgres_pids(database: str) -> list[int]:
    import psycopg

    with psycopg.connect(database, autocommit=True) as connection:
        name = connection.info.dbname
        rows = connection.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                                  [name]).fetchall()
    return [int(r[0]) for r in rows]


def snapshot(loopback: Loopback, database: str) -> dict[str, float]:
    return {
        "app servers": cpu_of_groups([app.popen.pid for app in loopback.apps]),
        "PostgreSQL": cpu_of_pids(postgres_pids(database)),
        "Redis": cpu_of_named("redis-server"),
        "nginx": cpu_of_groups([loopback.proxy.popen.pid]) if loopback.proxy else 0.0,
        "load generator": self_cpu(),
    }


def run_downloads(loopback: Loopback, document: dict[str, object], token: str, *, times: int,
                  label: str) -> tuple[str, float, float, int]:
    """(label, MB/s, app-server CPU ms per download, bytes per download)."""
    browser = Browser(loopback.port)
    path = f"/api/v1/documents/{document['id']}/files/{document['sha256']}"
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(3):  # warm-up: a fresh app server's first requests load what the download path imports
        status, _h, body = browser.request("GET", path, headers=headers)
        if status != 200:
            raise AssertionError(f"download: {status} {body[:200]!r}")
    app_before = cpu_of_groups([app.popen.pid for app in loopback.apps])
    started = time.perf_counter()
    size = 0
    for _ in range(times):
        status, _h, body = browser.request("GET", path, headers=headers)
        size = len(body)
    seconds = time.perf_counter() - started
    app_cpu = cpu_of_groups([app.popen.pid for app in loopback.apps]) - app_before
    return label, size * times / seconds / 1e6, app_cpu * 1000 / times, size


def run_floor(loopback: Loopback, document: dict[str, object], *, times: int) -> tuple[str, float, float, int]:
    """The same bytes as a static file served by nginx alone (no app server): the proxy's own rate on this machine,
    the ceiling any hand-off can reach."""
    name = "bench-deploy-floor.bin"
    sha256 = str(document["sha256"])
    stored = next((loopback.data_dir / "files").glob(f"{sha256[:2]}/{sha256[2:4]}/{sha256}*"))
    shutil.copyfile(stored, loopback.data_dir / "static" / name)
    browser = Browser(loopback.port)
    browser.request("GET", f"/static/{name}")
    started = time.perf_counter()
    size = 0
    for _ in range(times):
        status, _h, body = browser.request("GET", f"/static/{name}")
        if status != 200:
            raise AssertionError(f"static file: {status}")
        size = len(body)
    return "nginx alone, static file (floor)", size * times / (time.perf_counter() - started) / 1e6, 0.0, size


def link_of(browser: Browser, document: dict[str, object], headers: dict[str, str]) -> tuple[str, int]:
    """The signed link of the document's file from the API's document answer (decision 0035), and its expiry."""
    status, _h, body = browser.request("GET", f"/api/v1/documents/{document['id']}", headers=headers)
    if status != 200:
        raise AssertionError(f"document answer: {status} {body[:200]!r}")
    link = json.loads(body)["current_file"]["download_url"]
    if not link:
        raise AssertionError("the API's answer has no download_url: are VANTHU_FILES_LINKS and the local store on?")
    return str(link), int(str(link).split("e=", 1)[1].split("&", 1)[0])


def run_links(loopback: Loopback, document: dict[str, object], token: str, *,
              times: int) -> tuple[tuple[str, float, float, int], int]:
    """Downloads through the signed link the API's document answer gives: one app request outside the timed loop
    (again when the link is about to expire, that time and its app CPU left out), then nginx alone. Returns the row
    and how many downloads nginx served from links (warm-up included), checked against its link log."""
    browser = Browser(loopback.port)
    headers = {"Authorization": f"Bearer {token}"}
    log = loopback.data_dir / "logs" / "links.log"
    logged = len(log.read_text().splitlines()) if log.exists() else 0
    link, expires = link_of(browser, document, headers)
    served = 0
    for _ in range(3):  # warm-up, as for the other rows
        status, _h, body = browser.request("GET", link, headers=headers)
        if status != 200:
            raise AssertionError(f"signed link: {status} {body[:200]!r}")
        served += 1
    apps = [app.popen.pid for app in loopback.apps]
    left_out_seconds = left_out_cpu = 0.0
    app_before = cpu_of_groups(apps)
    started = time.perf_counter()
    size = 0
    for _ in range(times):
        if time.time() > expires - 5:  # about to expire: a new link, outside what is measured
            began, cpu = time.perf_counter(), cpu_of_groups(apps)
            link, expires = link_of(browser, document, headers)
            left_out_seconds += time.perf_counter() - began
            left_out_cpu += cpu_of_groups(apps) - cpu
        status, _h, body = browser.request("GET", link, headers=headers)
        if status != 200:
            raise AssertionError(f"signed link: {status}")
        size = len(body)
        served += 1
    seconds = time.perf_counter() - started - left_out_seconds
    app_cpu = cpu_of_groups(apps) - app_before - left_out_cpu
    in_log = (len(log.read_text().splitlines()) if log.exists() else 0) - logged
    if in_log != served:
        raise AssertionError(f"nginx's link log has {in_log} downloads, {served} were made: some fell to the "
                             "checked path (through an app server)")
    row = ("signed link, nginx alone after the page's check", size * times / seconds / 1e6, app_cpu * 1000 / times,
           size)
    return row, served


def record_reads(loopback: Loopback) -> tuple[dict[str, object] | None, float]:
    """`vanthu files record-reads --json` on the deployment's settings (the job that turns nginx's link log into
    read events): its answer, or None when this vanthu has no such command; and the CPU seconds it took."""
    import subprocess

    from vanthu.demo.loopback import BIN
    from vanthu.demo.peers import ROOT

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([str(BIN / "vanthu"), "files", "record-reads", "--json"], env=loopback.environment(),
                          cwd=ROOT, capture_output=True, timeout=900, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode == 2 and b"invalid choice" in done.stderr:
        return None, cpu
    if done.returncode != 0:
        raise AssertionError(f"vanthu files record-reads → {done.returncode}\n{done.stderr.decode()[-2000:]}")
    return json.loads(done.stdout.decode().strip().splitlines()[-1]), cpu


def restart(loopback: Loopback, *, apps: int, **env: str) -> None:
    loopback.stop()
    loopback.apps, loopback.job_workers, loopback.proxy = [], [], None
    loopback.app_servers = apps
    loopback.env.update(env)
    loopback.start()


def main(argv: list[str], out: IO[str]) -> None:
    parser = argparse.ArgumentParser(prog="vanthu bench deploy")
    parser.add_argument("--requests", type=int, default=1500, help="page requests per configuration")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--download-mb", type=int, default=20)
    parser.add_argument("--downloads", type=int, default=20)
    parser.add_argument("--server", default=os.environ.get("VANTHU_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--database-name", default="vanthu_bench_deploy")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--keep", type=Path, default=None, help="keep the deployment's folder here")
    parser.add_argument("--reuse", action="store_true",
                        help="with --keep: measure the deployment kept there by an earlier run instead of building one")
    args = parser.parse_args(argv)

    import psycopg

    database = f"{args.server}/{args.database_name}"
    root = args.keep or Path(tempfile.mkdtemp(prefix="vanthu-bench-deploy-"))
    saved = root / "bench-deploy.json"
    reuse = args.reuse and saved.exists()
    if not reuse:
        with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{args.database_name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{args.database_name}"')
    load = " ".join(open("/proc/loadavg").read().split()[:3])  # noqa: SIM115
    out.write(f"vanthu bench deploy — nginx + gunicorn on loopback, {os.cpu_count()} CPU, load average {load}\n")
    # signed download links on (decision 0035): the page and API answers mint them, nginx checks them
    links = {"VANTHU_FILES_LINKS": "1", "VANTHU_FILES_LINK_SECRET": secrets.token_urlsafe(36)}
    loopback = Loopback(root=root, database_url=database, redis_url=args.redis_url, app_servers=1, workers=1,
                        gunicorn_workers=1, gunicorn_threads=4, env=links)
    began = time.monotonic()
    if reuse:
        kept = json.loads(saved.read_text())
        mix, document, token = kept["mix"], kept["document"], kept["token"]
    else:
        loopback.prepare(demo=True)
        mix = loopback.shell_json("from vanthu.demo.bench_deploy_side import page_mix; page_mix()")
        document = loopback.shell_json("from vanthu.demo.bench_deploy_side import big_signed_document; "
                                       f"big_signed_document({args.download_mb})")
        token = next(w for w in loopback.cli("apitoken", "create", "--user", "hoa", "--name", "bench").split()
                     if w.startswith("vt_"))
        if args.keep:
            saved.write_text(json.dumps({"mix": mix, "document": document, "token": token}))
    out.write(f"deployment {'reused' if reuse else 'ready'} in {time.monotonic() - began:.0f} s: "
              f"{sum(len(v) for v in mix.values())} pages in the mix, a signed PDF of "
              f"{int(document['bytes']) / 1e6:.1f} MB\n")
    runs: list[PageRun] = []
    downloads = []
    recorded: dict[str, object] | None = None
    served, reads_cpu = 0, 0.0
    try:
        for apps in (1, 2):
            restart(loopback, apps=apps, VANTHU_FILES_HANDOFF="nginx")
            runs.append(run_pages(loopback, mix, requests=args.requests, concurrency=args.concurrency,
                                  database=database, label=f"{apps} app server{'s' if apps > 1 else ''}"))
        restart(loopback, apps=1, VANTHU_FILES_HANDOFF="nginx")  # both download runs on one fresh app server
        downloads.append(run_downloads(loopback, document, token, times=args.downloads, label="hand-off to nginx"))
        restart(loopback, apps=1, VANTHU_FILES_HANDOFF="")
        downloads.append(run_downloads(loopback, document, token, times=args.downloads, label="streamed by Python"))
        downloads.append(run_floor(loopback, document, times=args.downloads))
        restart(loopback, apps=1, VANTHU_FILES_HANDOFF="nginx")
        drained, _cpu = record_reads(loopback)  # what earlier runs left in the link log is recorded first
        since = time.time()
        row, served = run_links(loopback, document, token, times=args.downloads)
        downloads.append(row)
        recorded, reads_cpu = record_reads(loopback) if drained is not None else (None, 0.0)
        if recorded is not None:  # the workers' job may have recorded some of them before the command did
            recorded = loopback.shell_json("from vanthu.demo.bench_deploy_side import link_reads; "
                                           f"link_reads({document['id']}, {since - 1})")
    finally:
        loopback.stop()
    report(out, runs, downloads)
    if recorded is None:
        out.write("record-reads: not available (`vanthu files record-reads` is not in this vanthu)\n")
        return
    count = int(str(recorded.get("reads", -1)))
    out.write(f"reads in the audit chain: {count} for {served} downloads through links (recorded from nginx's link "
              f"log by the workers' job and `vanthu files record-reads`; the command took {reads_cpu:.2f} s of CPU "
              "with its start — `vanthu bench link-reads` measures the recording alone)\n")
    if count != served:
        from django.core.management.base import CommandError

        raise CommandError(f"the audit chain holds {count} link reads for {served} downloads")


def report(out: IO[str], runs: list[PageRun], downloads: list[tuple[str, float, float, int]]) -> None:
    out.write(f"\n{'pages (clerk + commander mix)':34}" + "".join(f"{r.label:>20}" for r in runs) + "\n")
    rows = [
        ("requests (errors)", [f"{r.requests} ({r.errors})" for r in runs]),
        ("requests/s", [f"{r.requests / r.seconds:.1f}" for r in runs]),
        ("p50 ms", [f"{statistics.median(r.latencies):.1f}" for r in runs]),
        ("p95 ms", [f"{pct(r.latencies, 95):.1f}" for r in runs]),
    ]
    for part in runs[0].cpu:
        rows.append((f"CPU s / 1000 req: {part}", [f"{r.cpu[part] * 1000 / r.requests:.2f}" for r in runs]))
    for label, values in rows:
        out.write(f"{label:34}" + "".join(f"{v:>20}" for v in values) + "\n")
    app = [r.cpu["app servers"] * 1000 / r.requests for r in runs]
    if len(app) == 2 and app[0]:
        out.write(f"app servers' CPU per request, 2 processes against 1: {app[1] / app[0]:.2f}×\n")
        per_request = app[1] / 1000
        out.write(f"a 16-core app server at 70 % busy would carry ~{16 * 0.7 / per_request:.0f} requests/s of this "
                  f"mix ({per_request * 1000:.1f} ms of CPU each)\n")
    width = max([34, *(len(row[0]) + 1 for row in downloads)])
    out.write(f"\n{'download of the signed PDF':{width}}{'MB/s':>12}{'app CPU ms/download':>22}\n")
    for label, rate, cpu_ms, size in downloads:
        out.write(f"{label:{width}}{rate:12.1f}{cpu_ms:22.1f}   ({size / 1e6:.1f} MB)\n")
    if len(downloads) >= 2 and downloads[1][1]:
        out.write(f"hand-off / Python stream: {downloads[0][1] / downloads[1][1]:.1f}× the rate, "
                  f"{downloads[0][2]:.1f} against {downloads[1][2]:.1f} ms of app-server CPU per download\n")
    if len(downloads) >= 4 and downloads[1][1]:
        out.write(f"signed link / Python stream: {downloads[3][1] / downloads[1][1]:.1f}× the rate, "
                  f"{downloads[3][2]:.1f} against {downloads[1][2]:.1f} ms of app-server CPU per download\n")


