"""The receiving clerk's registration between two real deployments (vanthu.demo.peers), in-process.

    python scripts/profile_registration.py [N] [OUT] [--postgres URL]

MR10 issues N documents to MR11's Division 301 and delivers them (`peers_side.deliver_timed`, over HTTP to
MR11's server). With both servers stopped, MR11's clerk then registers them as `peers_side.register_all` does
(the clerk's queue read, `documents.actions.register_received` for each), inside a transaction rolled back each
time (the same start every time): once to warm up, then timed three times — the process CPU per registration
and the SQL statements per registration — then once profiled (cProfile, by process CPU time):
OUT/register.prof. What each registration writes (statements by kind and table, per registration) is printed
with each run, to compare trees.

--postgres URL: each deployment on its own PostgreSQL database, URL + "_qk10" and URL + "_qk11" (dropped and
created afresh), instead of its SQLite file.

Run from the tree to measure (A/B as docs/benchmarks.md says):

    cd $TREE && PYTHONPATH=$TREE python scripts/profile_registration.py 50
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from vanthu.demo.peers import Deployment, connect, template

REGISTER = """
import cProfile, collections, json, re, time
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from vanthu.demo.peers_side import register_all

class Back(Exception):
    pass

WRITE = re.compile(r'^\\s*(?:WITH .*?\\)\\s*)?(INSERT INTO|UPDATE|DELETE FROM)\\s+"?(\\w+)"?', re.S | re.I)

def writes(queries, count):
    found = collections.Counter()
    for query in queries:
        sql = query["sql"]
        match = WRITE.match(sql)
        if sql.lstrip().upper().startswith("WITH HEAD AS"):  # audit.log._append_at_once (PostgreSQL)
            found["INSERT audit_auditevent, UPDATE audit_auditchainhead (one statement)"] += 1
        elif match:
            found[f"{match.group(1).split()[0].upper()} {match.group(2)}"] += 1
    return {key: round(value / count, 2) for key, value in sorted(found.items())}

def replay(profile=None):
    try:
        with transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                cpu = time.process_time()
                if profile is not None:
                    profile.enable()
                count = register_all()
                if profile is not None:
                    profile.disable()
                cpu = time.process_time() - cpu
            raise Back(json.dumps({"cpu_ms": round(cpu / count * 1000, 3),
                                   "statements": round(len(queries) / count, 2), "registered": count,
                                   "writes": writes(queries, count)}))
    except Back as exc:
        return json.loads(str(exc))

replay()
runs = [replay() for _ in range(3)]
profile = cProfile.Profile(time.process_time)  # CPU time: a statement's wait on the database is not counted
replay(profile)
profile.dump_stats(OUT + "/register.prof")
print("RESULT" + json.dumps(runs))
"""


def fresh_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 5432,
                         user=parts.username or "postgres", password=parts.password or None, dbname="postgres",
                         autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    args = sys.argv[1:]
    postgres = ""
    if "--postgres" in args:
        at = args.index("--postgres")
        postgres = args[at + 1]
        del args[at:at + 2]
    n = int(args[0]) if args else 50
    out = Path(args[1]) if len(args) > 1 else Path(tempfile.mkdtemp(prefix="registration-"))
    out.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="pr-"))
    flag = {"VANTHU_SIGNING_SPEEDUPS": "1", "VANTHU_EXCHANGE_BATCH": "25"}
    pair = []
    base = None if postgres else template(root / "t")
    for name, suffix in (("qk10", "Q10"), ("qk11", "Q11")):
        env = dict(flag)
        if postgres:
            env["VANTHU_DATABASE_URL"] = f"{postgres}_{name}"
            fresh_database(env["VANTHU_DATABASE_URL"])
        deployment = Deployment(name=name, data_dir=root / name, suffix=suffix, template=base, env=env,
                                server="waitress")
        if postgres:
            deployment.cli("migrate", "--no-input", "-v", "0")
        deployment.call("setup", suffix=suffix)
        pair.append(deployment)
    a, b = pair
    connect(a, b)
    a.start()
    b.start()
    try:
        a.call("issue", to=["000.00.10.Q11"], count=n, subject="Điện")
        delivered = a.call("deliver_timed", workers=1)
        assert isinstance(delivered, dict)
    finally:
        a.kill()
        b.kill()
    runs = b.script(REGISTER, OUT=str(out))
    assert isinstance(runs, list)
    cpu = sorted(run["cpu_ms"] for run in runs)
    sys.stdout.write(f"{n} issued, delivered: {delivered['messages']} messages, {delivered['waiting']} waiting\n"
                     f"register_received, per registration (3 runs): {json.dumps(runs)}\n"
                     f"median CPU ms per registration: {cpu[len(cpu) // 2]}; statements: {runs[0]['statements']}\n"
                     f"profile: {out}/register.prof; deployments: {root}\n")


if __name__ == "__main__":
    main()
