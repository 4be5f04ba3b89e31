"""An app server process is warmed when it loads vanthu.wsgi (signing/warmth.py): pyHanko's validation stack,
vanthu's validation modules and its font files are in memory before the first request, and warming respects
VANTHU_SIGNING_SPEEDUPS (plain pyHanko stays plain)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
before = set(sys.modules)
import vanthu.wsgi
from vanthu.signing import fieldtext, speedups
from vanthu.core import fonts
print(json.dumps({
    "imported_by_wsgi": sorted(m for m in ("pyhanko.sign.validation", "pyhanko.sign.diff_analysis.policies",
                                            "vanthu.signing.validation", "vanthu.exchange.carriers", "fontTools.ttLib")
                               if m in sys.modules and m not in before),
    "fonts_read": fieldtext._own_program.cache_info().currsize,
    "font_files": len(fonts.serif_files()),
    "speedups_installed": bool(speedups.ORIGINAL),
}))
"""


def _probe(tmp_path: Path, **extra: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VANTHU_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update({"VANTHU_DATA_DIR": str(tmp_path), "VANTHU_SECRET_KEY": "x" * 50, "PYTHONPATH": str(ROOT), **extra})
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=ROOT, capture_output=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def test_loading_the_wsgi_application_warms_validation_and_the_font_files(tmp_path: Path) -> None:
    found = _probe(tmp_path)
    assert found["imported_by_wsgi"] == ["fontTools.ttLib", "pyhanko.sign.diff_analysis.policies",
                                         "pyhanko.sign.validation", "vanthu.exchange.carriers",
                                         "vanthu.signing.validation"]
    assert found["fonts_read"] == found["font_files"]
    assert found["speedups_installed"] is True


def test_warming_leaves_plain_pyhanko_plain(tmp_path: Path) -> None:
    found = _probe(tmp_path, VANTHU_SIGNING_SPEEDUPS="0")
    assert found["speedups_installed"] is False
    assert "pyhanko.sign.validation" in found["imported_by_wsgi"]
