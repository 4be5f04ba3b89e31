"""`vanthu deploy nginx`: the nginx site of this deployment, rendered from its settings (docs/deploy.md).

    vanthu deploy nginx [--upstream HOST:PORT]… [--listen 80] [--server-name NAME] [--out FILE]

Prints the site on stdout (or writes it to --out, and the proxy parameters to --proxy-params), and writes
the pages nginx shows by itself (a request over the body limit) into the static folder. Exit 0; 2 on a usage error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from vanthu.ops import deploy


class Command(BaseCommand):
    help = "Tệp cấu hình nginx của triển khai này. / The nginx site of this deployment."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["nginx"])
        parser.add_argument("--upstream", action="append", default=[],
                            help="Máy chủ ứng dụng HOST:PORT (lặp lại được). / An app server (repeatable).")
        parser.add_argument("--listen", default="80")
        parser.add_argument("--server-name", default="_")
        parser.add_argument("--proxy-params", default="/etc/nginx/vanthu_proxy_params")
        parser.add_argument("--trace-upstream", action="store_true",
                            help="Tests only: name the answering app server's address on handed-off downloads.")
        parser.add_argument("--out", type=Path, help="Ghi ra tệp thay vì in. / Write to FILE instead of stdout.")
        parser.add_argument("--static-root", type=Path, default=None,
                            help="Nơi ghi trang lỗi 413 (mặc định STATIC_ROOT). / Where the 413 pages go.")

    def handle(self, *args: Any, **options: Any) -> None:
        site = deploy.Site(upstreams=options["upstream"] or ["127.0.0.1:8001"], listen=options["listen"],
                           server_name=options["server_name"], proxy_params=options["proxy_params"],
                           trace_upstream=options["trace_upstream"])
        text = deploy.render_site(site)
        static_root = options["static_root"] or Path(settings.STATIC_ROOT or settings.DATA_DIR / "static")
        written = deploy.write_error_pages(static_root)
        out: Path | None = options["out"]
        if out is None:
            self.stdout.write(text, ending="")
        else:
            deploy.write_site(out, text)
            Path(site.proxy_params).write_text(deploy.PROXY_PARAMS, encoding="utf-8")
            self.stdout.write(f"{out}\n{site.proxy_params}")
        for path in written:
            self.stderr.write(f"vanthu: {path}")
