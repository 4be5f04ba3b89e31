"""`vanthu service-client add|list|revoke`: clients of the time-stamp service (decision 0021).

    vanthu service-client add "cổng dịch vụ công"   # prints the token once, on stdout
    vanthu service-client list [--json]
    vanthu service-client revoke NAME

Exit 0 done, 1 refused (a duplicate name, no such client), 2 bad usage.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from vanthu.core.actors import operator
from vanthu.core.errors import ActionRefused
from vanthu.signing import service_clients
from vanthu.signing.models import ServiceClient


class Command(BaseCommand):
    help = "Clients of the time-stamp service: `add NAME` (prints the token once), `list`, `revoke NAME`."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        add = sub.add_parser("add", help="Register a client and print its token once.")
        add.add_argument("name")
        listing = sub.add_parser("list", help="List the clients (never their tokens).")
        listing.add_argument("--json", action="store_true")
        revoke = sub.add_parser("revoke", help="Revoke a client's token.")
        revoke.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        what = options["what"]
        try:
            if what == "add":
                client, token = service_clients.create_client(name=options["name"],
                                                              acting=operator("service-client add"))
                self.stderr.write(f"Client #{client.pk} “{client.name}”. Its token is shown only now:")
                self.stdout.write(token)
            elif what == "list":
                self.list(as_json=options["json"])
            else:
                found = ServiceClient.objects.filter(name=options["name"]).first()
                if found is None:
                    raise CommandError(f"No service client named {options['name']!r}")
                service_clients.revoke_client(client=found, acting=operator("service-client revoke"))
                self.stderr.write(f"Revoked “{found.name}”.")
        except ActionRefused as exc:
            raise CommandError(exc.message) from exc

    def list(self, *, as_json: bool) -> None:
        rows = [{"id": c.pk, "name": c.name, "token": f"{service_clients.TOKEN_PREFIX}{c.prefix}…",
                 "state": "revoked" if c.revoked_at else "active",
                 "last_used": timezone.localtime(c.last_used_at).isoformat() if c.last_used_at else None}
                for c in ServiceClient.objects.order_by("name")]
        if as_json:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        for row in rows:
            self.stdout.write(f"{row['id']:>4}  {row['token']:<14} {row['state']:<8} "
                              f"last used {row['last_used'] or 'never':<26} {row['name']}")
