"""Every vanthu process tunes Python's cycle collector when it imports the package (decision 0032), and an
operator can set it back or change it with VANTHU_GC_THRESHOLD; a value that is not understood leaves Python's
default and `vanthu check` says so."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = "import gc, vanthu; print(','.join(str(t) for t in gc.get_threshold()))"
PYTHON_DEFAULT = subprocess.run([sys.executable, "-c", "import gc; print(','.join(map(str, gc.get_threshold())))"],
                                capture_output=True, text=True, check=True).stdout.strip()


def _threshold(tmp_path: Path, value: str | None) -> str:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "VANTHU_DATA_DIR": str(tmp_path)}
    if value is not None:
        env["VANTHU_GC_THRESHOLD"] = value
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60,
                          check=False, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize(("value", "expected"), [
    (None, "50000,50,100"),
    ("700,10,10", "700,10,10"),
    ("20000, 20, 40", "20000,20,40"),
    ("", PYTHON_DEFAULT),
    ("lots", PYTHON_DEFAULT),
    ("1,2", PYTHON_DEFAULT),
    ("-1,10,10", PYTHON_DEFAULT),
])
def test_the_collector_is_tuned_on_import(tmp_path: Path, value: str | None, expected: str) -> None:
    assert PYTHON_DEFAULT == "700,10,10"
    assert _threshold(tmp_path, value) == expected


def test_a_value_not_understood_is_a_warning_of_the_system_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    from vanthu.core.checks import _check_collector

    monkeypatch.setenv("VANTHU_GC_THRESHOLD", "lots")
    assert [w.id for w in _check_collector()] == ["vanthu.W003"]
    monkeypatch.setenv("VANTHU_GC_THRESHOLD", "50000,50,100")
    assert _check_collector() == []
    monkeypatch.delenv("VANTHU_GC_THRESHOLD")
    assert _check_collector() == []
