"""The access matrix's figures for docs/security.md: `python -m tests.security.matrix_report [--failures]
[--json] [ENDPOINT …]`.

Builds the world once in a throw-away test database (SQLite in memory unless VANTHU_DATABASE_URL says otherwise),
runs every row of the table (or the endpoints named) and prints: endpoints (URL patterns and API operations),
requests tried (endpoint × case × method × character), cells that differ from the table, leaks (canaries shown to
someone the table says may not see them) and refused requests that wrote something. Exit 0 when every cell
matches the table, 1 otherwise.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path


def main(argv: list[str]) -> int:
    os.environ.setdefault("VANTHU_TESTING", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanthu.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.test.utils import setup_test_environment

    from tests.security import endpoints
    from tests.security.matrix import run_row
    from tests.security.matrix_table import API, PAGES
    from tests.security.world import PERSONAS, build_world

    show_failures = "--failures" in argv
    as_json = "--json" in argv
    only = [a for a in argv if not a.startswith("--")]
    base = Path(tempfile.mkdtemp(prefix="vanthu-matrix-"))
    settings.FILES_DIR, settings.SIGNING_DIR, settings.MEDIA_ROOT = base / "files", base / "signing", base / "media"
    settings.KEY_SCRYPT_LOG2N = 10
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    rows = {**PAGES, **API}
    names = only or sorted(rows)
    cells = []
    with transaction.atomic():
        build_world_result = build_world()
        for name in names:
            cells += run_row(build_world_result, name, rows[name])
        transaction.set_rollback(True)
    failed = [c for c in cells if not c.passed]
    figures = {
        "url_patterns": len(endpoints.url_patterns()),
        "pages_in_table": len([n for n in names if n in PAGES]),
        "api_operations_in_table": len([n for n in names if n in API]),
        "characters": 1 + len(PERSONAS),
        "requests": len(cells),
        "mismatches": len([c for c in cells if c.got != c.expected]),
        "leaks": len([c for c in cells if c.leaked]),
        "refused_but_wrote": len([c for c in cells if c.wrote and c.refused]),
        "outcomes": dict(Counter(c.got for c in cells)),
        "endpoints_without_world_object": sorted(n for n in names if rows[n].note == "no world object"),
    }
    if as_json:
        json.dump(figures | {"failures": [c.describe() for c in failed]}, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        for key, value in figures.items():
            print(f"{key}: {value}")
        if show_failures:
            for cell in failed:
                print(cell.describe())
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
