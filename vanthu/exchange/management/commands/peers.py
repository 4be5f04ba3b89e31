"""`vanthu peers list|add|remove|self [--json]` — the peer directory of the exchange, as the operator.

    vanthu peers add NAME --organ '*.Q11' --url http://10.0.0.2:8000 --trust-roots ca.pem [--max-secrecy 0]
                          [--transport http|bundle|…]
    vanthu peers remove NAME          # deactivates (the evidence keeps pointing at it)
    vanthu peers self --json          # what another deployment needs to add this one: organ ids, trust roots

Results on stdout (JSON with --json); refusals on stderr with exit 1; a usage error exits 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from vanthu.core.actors import operator
from vanthu.core.errors import ActionRefused
from vanthu.exchange import actions
from vanthu.exchange.models import Peer
from vanthu.org.models import Unit
from vanthu.signing import service as signing


def _peer_dict(peer: Peer) -> dict[str, Any]:
    return {"name": peer.name, "organ_ids": peer.organ_patterns, "base_url": peer.base_url,
            "max_secrecy": peer.max_secrecy, "transport": peer.transport, "active": peer.is_active}


class Command(BaseCommand):
    help = "The exchange's peer directory: list, add, remove (deactivate) peers; print this deployment's identity."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        listing = sub.add_parser("list")
        listing.add_argument("--json", action="store_true")
        add = sub.add_parser("add")
        add.add_argument("name")
        add.add_argument("--organ", action="append", required=True, help="organ id or prefix* (repeatable)")
        add.add_argument("--url", default="")
        add.add_argument("--trust-roots", required=True, help="PEM file of the peer's CA certificate(s)")
        add.add_argument("--max-secrecy", type=int, default=0)
        add.add_argument("--transport", default="http")
        add.add_argument("--json", action="store_true")
        remove = sub.add_parser("remove")
        remove.add_argument("name")
        remove.add_argument("--json", action="store_true")
        me = sub.add_parser("self")
        me.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        what = options["what"]
        acting = operator(f"peers {what}")
        try:
            if what == "list":
                rows = [_peer_dict(p) for p in Peer.objects.order_by("name")]
                self._out(options, rows, "\n".join(
                    f"{r['name']}\t{','.join(r['organ_ids'])}\t{r['base_url']}\t{r['transport']}\t"
                    f"{'đang hoạt động' if r['active'] else 'ngừng'}" for r in rows))
            elif what == "add":
                pem = Path(options["trust_roots"]).read_text(encoding="ascii")
                peer = actions.add_peer(acting=acting, name=options["name"], organ_ids="\n".join(options["organ"]),
                                        base_url=options["url"], trust_roots=pem,
                                        max_secrecy=options["max_secrecy"], transport=options["transport"])
                self._out(options, _peer_dict(peer), _("Đã thêm hệ thống liên thông %(name)s.") % {"name": peer.name})
            elif what == "remove":
                found = Peer.objects.filter(name=options["name"]).first()
                if found is None:
                    self.stderr.write(_("Không có hệ thống liên thông tên %(name)s.") % {"name": options["name"]})
                    sys.exit(1)
                peer = actions.deactivate_peer(acting=acting, peer=found)
                self._out(options, _peer_dict(peer), _("Đã ngừng liên thông với %(name)s.") % {"name": peer.name})
            else:
                roots, intermediates = signing.trust_store_der()
                pem = "".join(x509.load_der_x509_certificate(d).public_bytes(Encoding.PEM).decode("ascii")
                              for d in [*roots, *intermediates])
                organs = list(Unit.objects.exclude(code=None).order_by("path").values_list("code", flat=True))
                self._out(options, {"organ_ids": organs, "trust_roots": pem}, pem)
        except ActionRefused as exc:
            self.stderr.write(exc.message)
            sys.exit(1)
        except OSError as exc:
            self.stderr.write(str(exc))
            sys.exit(1)

    def _out(self, options: dict[str, Any], data: Any, text: str) -> None:
        if options.get("json"):
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(text)
