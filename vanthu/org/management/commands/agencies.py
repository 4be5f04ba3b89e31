"""`vanthu agencies import FILE` (CSV or XLSX: name, short name, QCVN 102 code, QĐ 20 code) as the operator;
`vanthu agencies list`; `vanthu agencies sync [--from FILE | --peer NAME] [--json]`: the exchange hub's list
(the VNPT axis's JSON shape) applied to the directory — from a file, from a peer of the exchange, or (neither
given) from the hub `VANTHU_AGENCY_HUB` names. It prints added/updated/deactivated/unchanged on stdout (JSON with
--json), messages on stderr; exit 0 done, 1 refused (the list or the hub), 2 nothing to sync from."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vanthu.core.actors import operator
from vanthu.core.errors import ActionRefused
from vanthu.org import agencies, agency_list, agency_sync
from vanthu.org.agency_actions import import_agencies
from vanthu.org.models import Agency


class Command(BaseCommand):
    help = "Directory of outside agencies (issuing bodies): import from a CSV or XLSX file, or list it."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        imp = sub.add_parser("import")
        imp.add_argument("file")
        sub.add_parser("list")
        sync = sub.add_parser("sync")
        origin = sync.add_mutually_exclusive_group()
        origin.add_argument("--from", dest="source_file", help="a JSON file in the hub's shape")
        origin.add_argument("--peer", help="the name of the hub in the peer directory")
        sync.add_argument("--json", action="store_true", help="print the counts as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "list":
            for agency in Agency.objects.filter(is_active=True).order_by("name"):
                self.stdout.write("\t".join([agency.name, agency.short_name, agency.code, agency.code_qd20]))
            return
        if options["what"] == "sync":
            sys.exit(self.sync(options))
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("Không thấy tệp %(path)s.") % {"path": path})
        try:
            rows = agencies.parse(path.read_bytes(), filename=path.name)
            result = import_agencies(rows=rows, acting=operator("agencies import"))
        except ActionRefused as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(_("Đã nhập danh bạ cơ quan: %(c)s mới, %(u)s cập nhật, %(n)s không đổi.")
                          % {"c": result.created, "u": result.updated, "n": result.unchanged})

    def sync(self, options: dict[str, Any]) -> int:
        peer = options.get("peer") or ""
        source_file = options.get("source_file") or ""
        if not (peer or source_file):
            peer = settings.AGENCY_HUB
        if not (peer or source_file):
            self.stderr.write(_("Chưa chỉ định nguồn: dùng --from TỆP hoặc --peer TÊN, hoặc đặt VANTHU_AGENCY_HUB."))
            return 2
        try:
            if source_file:
                path = Path(source_file)
                if not path.is_file():
                    self.stderr.write(_("Không thấy tệp %(path)s.") % {"path": path})
                    return 2
                rows = agency_list.parse(path.read_bytes())
                source = f"file:{path.name}"
            else:
                rows = agency_sync.rows_from_peer(peer)
                source = f"peer:{peer}"
            result = agency_sync.sync_agencies(rows=rows, acting=operator("agencies sync"), source=source)
        except agency_list.ListInvalid as exc:
            self.stderr.write(_("Danh sách cơ quan không đọc được: %(reason)s") % {"reason": str(exc)})
            return 1
        except ActionRefused as exc:
            self.stderr.write(exc.message)
            return 1
        except OSError as exc:
            self.stderr.write(_("Không kết nối được hệ thống %(peer)s: %(reason)s") % {"peer": peer, "reason": exc})
            return 1
        counts = result.as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(counts))
        else:
            self.stdout.write(_("Đã đồng bộ danh bạ cơ quan: %(added)s mới, %(updated)s cập nhật, %(deactivated)s "
                                "ngừng dùng, %(unchanged)s không đổi.") % counts)
        return 0
