"""`vanthu exchange bundle export|import` — store-and-forward bundles for peers with no network link (decision
0013, docs/exchange.md "Bundles").

    vanthu exchange bundle export --peer NAME_OR_ORGAN FILE [--json]   # everything waiting for the peer
    vanthu exchange bundle import FILE [--json]                        # verify, then receive each envelope

Results on stdout (JSON with --json), messages on stderr. Exit 0: done; 1: refused (an unknown peer, a bundle
whose signature, signer or SHA-256s do not check — nothing imported — or an envelope refused); 2: usage error.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from vanthu.core.actors import operator
from vanthu.core.errors import ActionRefused
from vanthu.exchange import actions, bundles


class Command(BaseCommand):
    help = "The exchange between deployments: export and import store-and-forward bundles."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        carried = sub.add_parser("bundle").add_subparsers(dest="direction", required=True)
        export = carried.add_parser("export")
        export.add_argument("--peer", required=True)
        export.add_argument("file")
        export.add_argument("--json", action="store_true")
        imported = carried.add_parser("import")
        imported.add_argument("file")
        imported.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        direction = options["direction"]
        acting = operator(f"exchange bundle {direction}")
        try:
            if direction == "export":
                self._export(options, acting)
            else:
                self._import(options, acting)
        except bundles.BundleError as exc:
            self.stderr.write(exc.message)
            sys.exit(1)
        except ActionRefused as exc:
            self.stderr.write(exc.message)
            sys.exit(1)

    def _export(self, options: dict[str, Any], acting: Any) -> None:
        peer = bundles.find_peer(options["peer"])
        done = bundles.export(peer)
        Path(options["file"]).write_bytes(done.data)
        result = {"file": options["file"], "peer": peer.name, "documents": done.documents,
                  "statuses": done.statuses, "sha256": hashlib.sha256(done.data).hexdigest(), "keys": done.keys}
        actions.record_bundle(acting=acting, peer=peer, verb="exported",
                              data={k: v for k, v in result.items() if k != "keys"})
        self._out(options, result, _("Đã xuất gói %(file)s cho %(peer)s: %(documents)s văn bản, %(statuses)s "
                                     "trạng thái.") % result)

    def _import(self, options: dict[str, Any], acting: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            self.stderr.write(_("Không có tệp %(file)s.") % {"file": path})
            sys.exit(2)
        data = path.read_bytes()
        done = bundles.import_(data)
        result = {"file": str(path), "sha256": hashlib.sha256(data).hexdigest(), **done.as_dict()}
        peer = bundles.find_peer(done.peer)
        actions.record_bundle(acting=acting, peer=peer, verb="imported",
                              data={k: v for k, v in result.items() if k != "refused"}
                              | {"refused": len(done.refused)})
        lines = [_("Đã nhập gói %(file)s của %(peer)s: %(accepted)s mới, %(duplicate)s trùng, %(refused)s bị từ "
                   "chối.") % {**result, "refused": len(done.refused)}]
        lines += [f"  {r['file']}: {r['reason']}" for r in done.refused]
        self._out(options, result, "\n".join(lines))
        if done.refused:
            self.stderr.write(_("Có gói tin bị từ chối."))
            sys.exit(1)

    def _out(self, options: dict[str, Any], data: Any, text: str) -> None:
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
        else:
            self.stdout.write(text)
