"""Starting a vanthu process is cheap: `django.setup()` imports no signing, font, PDF, office or HTTP-client
library and none of the action stacks; they are imported by the call that needs them. Every CLI command, worker
start and test subprocess pays what setup imports (about 1 s of CPU for these, measured in docs/benchmarks.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Imported by a call that signs, verifies, lays out, reads or delivers — never by setup.
HEAVY = [
    "pyhanko.sign",  # PAdES signing and its timestamp clients (aiohttp)
    "pyhanko_certvalidator",
    "aiohttp",
    "fontTools.subset",  # the signature appearance's font subsets
    "pypdf",
    "PIL.Image",
    "docx",
    "openpyxl",
    "webauthn",
    "vanthu.documents.actions",
    "vanthu.exchange.carriers",
    "vanthu.exchange.receiving",
    "vanthu.ops.actions",
    "vanthu.ops.audit_trail",
    "vanthu.records.package.seal",
    "vanthu.signing.appearance",
    "vanthu.signing.placement",
    "vanthu.org.second_factor",
]

SCRIPT = """
import json, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "vanthu.settings"
import django
django.setup()
print(json.dumps(sorted(name for name in json.loads(sys.argv[1]) if name in sys.modules)))
"""


def _fresh_env(data_dir: Path) -> dict[str, str]:
    # A person's shell, not the test run's: no VANTHU_TESTING, no DATABASE_URL.
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(data_dir), "VANTHU_DATA_DIR": str(data_dir)}


def test_django_setup_imports_no_heavy_module(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(HEAVY)], env=_fresh_env(tmp_path),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


# Imported by the call that uses them, never by loading the pages (every web process, every CLI command that runs
# the system checks, every page a test loads): the URLconf imports every view and every action, not these.
HEAVY_FOR_PAGES = [
    "pyhanko.sign",  # signing, the seal, time stamps, long-term validation data, record packages
    "aiohttp",
    "fontTools.subset",
    "fontTools.ttLib",
    "pypdf",  # the scan and layout checks of an upload
    "openpyxl",  # spreadsheets of registers, records and reports
    "webauthn",
    "cbor2",
]

URLCONF = """
import json, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "vanthu.settings"
import django
django.setup()
from django.urls import get_resolver, reverse
get_resolver().url_patterns
reverse("outgoing_register")  # a page's first link populates every pattern of every app
print(json.dumps(sorted(name for name in json.loads(sys.argv[1]) if name in sys.modules)))
"""


def test_loading_the_pages_imports_no_signing_pdf_font_or_sheet_library(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", URLCONF, json.dumps(HEAVY_FOR_PAGES)], env=_fresh_env(tmp_path),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_the_outbox_still_knows_every_transport_and_makes_them_on_use() -> None:
    from vanthu.documents import outbox
    from vanthu.exchange.carriers import BundleTransport, HttpTransport, LocalEnvelopeTransport

    assert outbox.transport_names()[:3] == ["local", "http", "bundle"]  # the order `route` asks them
    assert isinstance(outbox.transport_named("local"), LocalEnvelopeTransport)
    assert isinstance(outbox.transport_named("http"), HttpTransport)
    assert isinstance(outbox.transport_named("bundle"), BundleTransport)
    assert outbox.transport_named("pigeon") is None


@pytest.mark.parametrize("module", ["vanthu.ops.jobs", "vanthu.notify.jobs", "vanthu.search.jobs",
                                    "vanthu.exchange.jobs"])
def test_jobs_are_registered_without_importing_their_actions(module: str) -> None:
    from vanthu.jobs import registry

    paths = [task.module_path for task, _every in registry.periodic_jobs()]
    assert any(path.startswith(module + ".") for path in paths)


VERIFY = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "vanthu.settings"
from django.core.management import execute_from_command_line
try:
    execute_from_command_line(["vanthu", "audit", "verify", sys.argv[1]])
except SystemExit as exc:
    print(exc.code, "vanthu.urls" in sys.modules, "vanthu.documents.actions" in sys.modules)
"""


def test_audit_verify_of_a_file_loads_no_urlconf(tmp_path: Path) -> None:
    """`vanthu audit verify FILE` reads no database, like `vanthu verify`: no system checks, so no URLconf."""
    garbage = tmp_path / "garbage.zip"
    garbage.write_bytes(b"not an export")
    done = subprocess.run([sys.executable, "-c", VERIFY, str(garbage)], env=_fresh_env(tmp_path),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.stdout.split() == ["2", "False", "False"], done.stderr  # 2: unreadable
