"""The app's part of a handed-off download, measured in-process (issue 17; docs/benchmarks.md "vanthu bench deploy").

Not collected by the suite (the name does not start with test_): run it by path, where it prints figures and asserts
no time. Django's test client sends N requests to the API's and the page's download of one registered document
(VANTHU_FILES_HANDOFF=nginx: the answer is the X-Accel-Redirect, no bytes), and the CPU and wall time per request
of this process are printed with the load average before and after:

    VANTHU_TESTING=1 VANTHU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> \\
        pytest -q -s -p no:cacheprovider tests/api/bench_download_inprocess.py
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from django.test import override_settings
from django.urls import reverse

from tests.api.conftest import register_incoming

N = int(os.environ.get("VANTHU_BENCH_DOWNLOADS", "200"))


def _load() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def _measure(label: str, get: Callable[[], Any]) -> str:
    for _ in range(5):  # warm-up
        assert get().status_code == 200
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(N):
        get()
    cpu_ms = (time.process_time() - cpu) * 1000 / N
    wall_ms = (time.perf_counter() - wall) * 1000 / N
    return f"{label:32} {cpu_ms:7.2f} ms CPU {wall_ms:8.2f} ms wall"


@override_settings(FILES_HANDOFF="nginx", FILES_HANDOFF_PREFIX="/_vanthu_files/")
def test_print_the_app_part_of_a_download(cast, doc_types, incoming_pdf, api, client):
    doc = register_incoming(cast, doc_types, incoming_pdf)
    path = f"/documents/{doc.pk}/files/{doc.current_file_id}"
    lan, hung = api(cast.lan), api(cast.hung)
    client.force_login(cast.lan.user)
    url = reverse("document_file", args=[doc.pk, doc.current_file_id])
    lines = [f"app's part of a handed-off download, in-process, {N} requests each, load average {_load()}"]
    lines.append(_measure("API, Lan (the unit's clerk)", lambda: lan.get(path)))
    lines.append(_measure("API, Hùng (leader of the tree)", lambda: hung.get(path)))
    lines.append(_measure("page, Lan", lambda: client.get(url)))
    lines.append(f"load average after: {_load()}")
    print("\n" + "\n".join(lines))
