"""The `vanthu` command: Django's management commands plus vanthu's own (demo, serve, bench, verify …)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanthu.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["vanthu", *argv])
    args[0] = "vanthu"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
