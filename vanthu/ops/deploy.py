"""The deployment's own files, rendered from its settings: the nginx site and the pages nginx shows by itself.

`vanthu deploy nginx` prints (or writes) the site so that its body limit is VANTHU_MAX_REQUEST_MB, its static
folder STATIC_ROOT and its file store FILES_DIR — the figures vanthu itself uses, never typed twice — and writes the
two answers nginx gives without asking an app server (a request over the body limit: `errors/413.html` for pages,
`errors/413.json` for the machine interfaces) with vanthu's own words for it. `deploy/nginx/vanthu.conf` is this
rendering with the example values of docs/deploy.md (a test keeps it so).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

from django.conf import settings
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _

TOO_LARGE_PAGE = "/_vanthu_errors/413.html"
TOO_LARGE_JSON = "/_vanthu_errors/413.json"

SITE = Template(r"""# nginx site for vanthu, rendered by `vanthu deploy nginx` from the deployment's settings
# (docs/deploy.md): the body limit, the static folder and the file store are the ones vanthu uses.

# No keepalive to the app servers: each request opens its own connection, so a server that has died is refused
# at connect and the request (a POST too) goes to the next one. A cached connection to a server killed a moment
# ago fails only after the request was sent, and nginx cannot resend a POST: the person would get a 502.
${link_http}upstream vanthu_app {
${upstreams}
}

server {
    listen ${listen};
    server_name ${server_name};

    # VANTHU_MAX_REQUEST_MB: a larger request is stopped here, before an app server reads it, and the person gets
    # vanthu's own message for it (the pages below: a page, or the API's error shape under /api/ and /exchange/).
    client_max_body_size ${max_body_mb}m;
    error_page 413 ${too_large_page};
    location = ${too_large_page} {
        internal;
        default_type "text/html; charset=utf-8";
        alias ${static_root}/errors/413.html;
    }
    location = ${too_large_json} {
        internal;
        default_type "application/json";
        alias ${static_root}/errors/413.json;
    }
    location /api/ {
        error_page 413 ${too_large_json};
        proxy_pass http://vanthu_app;
        include ${proxy_params};
    }
    location /exchange/ {
        error_page 413 ${too_large_json};
        proxy_pass http://vanthu_app;
        include ${proxy_params};
    }

    # Static files straight from disk (collected by `vanthu upgrade`).
    location /static/ {
        alias ${static_root}/;
        access_log off;
        expires 7d;
        add_header Cache-Control "public";
        add_header X-Content-Type-Options "nosniff";
    }

    # The file store, for the downloads vanthu has allowed (X-Accel-Redirect, core/handoff.py). Internal: asked
    # for directly it is 404. Content-Type, Content-Disposition and Cache-Control come from the app server.
    location ${handoff_prefix} {
        internal;
        alias ${files_dir}/;
        sendfile on;
        tcp_nopush on;
        add_header X-Content-Type-Options "nosniff";${trace}
    }
${s3_location}${link_location}
    location / {
        proxy_pass http://vanthu_app;
        include ${proxy_params};
    }
}
""")

PROXY_PARAMS = r"""# Included by every proxied location of the vanthu site.
proxy_http_version 1.1;
proxy_set_header Connection "";
proxy_set_header Host $host;
proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
proxy_set_header X-Forwarded-Proto $scheme;
proxy_read_timeout 120s;
proxy_request_buffering on;
# An app server down or restarting: the request goes to the next one (a POST only when it was refused at connect,
# never once sent: nginx does not resend those).
proxy_next_upstream error timeout http_502 http_503;
"""


@dataclass(frozen=True)
class Site:
    upstreams: list[str] = field(default_factory=lambda: ["127.0.0.1:8001"])
    listen: str = "80"
    server_name: str = "_"
    proxy_params: str = "/etc/nginx/vanthu_proxy_params"
    # Name the app server that answered (its address) in X-Vanthu-Upstream, also on handed-off downloads, whose
    # own headers nginx drops: for tests and measurement only — it tells clients the servers' addresses.
    trace_upstream: bool = False


S3_LOCATION = Template(r"""
    # The object store, for the downloads vanthu has allowed: X-Accel-Redirect to a presigned GET (60 s) of the
    # file's object; nginx fetches it from the S3 endpoint and relays it. Internal, like the location above.
    location ${s3_prefix} {
        internal;
        proxy_pass ${s3_endpoint}/;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Authorization "";
        proxy_buffering on;
        proxy_hide_header Content-Disposition;  # vanthu's own (kept from its answer) is the one sent
        proxy_hide_header x-amz-request-id;
        proxy_hide_header x-amz-id-2;
        add_header X-Content-Type-Options "nosniff";${trace}
    }
""")


LINK_HTTP = Template(r"""# Signed download links (decision 0035): each download nginx served itself is a line of this
# log, which vanthu's job turns into the read's audit event (`vanthu files record-reads`). Exactly these fields.
log_format vanthu_links '$$msec $$status $$body_bytes_sent $$request_id $$remote_addr $$uri';
# One line a download: a whole answer (200), or the first piece of one read by ranges (a PDF viewer asks for the
# rest in further 206 answers, which are not lines: they are the same read).
map "$$status:$$http_range" $$vanthu_link_served {
    "~^200:"           1;
    "~^206:bytes=0-"   1;
    default            0;
}
# An expired or invalid link (or a file missing on disk) is passed inside nginx to the checked path of its kind.
map $$vanthu_link_via $$vanthu_link_checked {
    a       /api/v1/documents/$$vanthu_link_doc/files/$$vanthu_link_sha;
    default /documents/$$vanthu_link_doc/file/$$vanthu_link_sha/;
}
map $$vanthu_link_ext $$vanthu_link_disposition {
    pdf     inline;
    default attachment;
}

""")

LINK_LOCATION = Template(r"""
    # Signed download links (decision 0035, core/links.py): the page or API answer that listed the files checked
    # access and signed each link for the person's session cookie or Authorization header, valid
    # VANTHU_FILES_LINK_SECONDS; nginx checks the signature and sends the file itself, no app request. Anything
    # else — expired, tampered, another person's credential, no credential — goes to the checked path, which
    # answers 404 to whoever may not see the document. The secret is VANTHU_FILES_LINK_SECRET: keep this file
    # readable by root only.
    location ~ "^${link_prefix}${link_path}$$" {
        error_page 403 404 = $$vanthu_link_checked;
        secure_link $$arg_s,$$arg_e;
        secure_link_md5 "$$secure_link_expires$$uri$$cookie_${cookie}$$http_authorization ${secret}";
        if ($$secure_link != "1") {
            return 403;
        }
        alias ${files_dir}/$$vanthu_link_a/$$vanthu_link_b/$$vanthu_link_sha;
        types {
            application/pdf pdf;
            application/vnd.openxmlformats-officedocument.wordprocessingml.document docx;
        }
        default_type application/octet-stream;
        sendfile on;
        tcp_nopush on;
        add_header X-Content-Type-Options "nosniff";
        add_header X-Frame-Options "SAMEORIGIN";
        add_header Cache-Control "private, max-age=300";
        add_header Content-Disposition "$$vanthu_link_disposition; filename=\"$$vanthu_link_name\"";
        access_log ${link_log} vanthu_links if=$$vanthu_link_served;
    }
""")


# The link's path after the prefix (core/links.py): via, person, document, the SHA-256 (its first two pairs name the
# store's folders) and the ASCII name with the extension that fixes the type.
LINK_PATH = ("(?<vanthu_link_via>[pa])/(?<vanthu_link_person>[0-9]+)/(?<vanthu_link_doc>[0-9]+)/"
             "(?<vanthu_link_sha>(?<vanthu_link_a>[0-9a-f]{2})(?<vanthu_link_b>[0-9a-f]{2})[0-9a-f]{60})/"
             r"(?<vanthu_link_name>[a-z0-9][a-z0-9-]*\.(?<vanthu_link_ext>pdf|docx))")


def links_served() -> bool:
    """The site has the signed links' location: links on, with the local store (object storage keeps the checked
    hand-off, decision 0035)."""
    return bool(settings.FILES_LINKS) and not str(settings.FILES_URL).startswith("s3://")


def s3_endpoint() -> str:
    """The object store's endpoint nginx fetches from: VANTHU_S3_ENDPOINT_URL, or AWS's regional endpoint."""
    import os

    if settings.S3_ENDPOINT_URL:
        return str(settings.S3_ENDPOINT_URL).rstrip("/")
    region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
    return f"https://s3.{region}.amazonaws.com"


def render_site(site: Site) -> str:
    trace = "\n        add_header X-Vanthu-Upstream $upstream_addr always;" if site.trace_upstream else ""
    s3 = str(settings.FILES_URL).startswith("s3://")
    s3_location = S3_LOCATION.safe_substitute(s3_prefix=settings.FILES_HANDOFF_S3_PREFIX, s3_endpoint=s3_endpoint(),
                                              trace=trace) if s3 else ""
    links = links_served()
    link_http = LINK_HTTP.substitute() if links else ""
    link_location = LINK_LOCATION.substitute(
        link_prefix=re.escape(settings.FILES_LINK_PREFIX), link_path=LINK_PATH, cookie=settings.SESSION_COOKIE_NAME,
        secret=settings.FILES_LINK_SECRET, files_dir=str(settings.FILES_DIR).rstrip("/"),
        link_log=settings.FILES_LINK_LOG) if links else ""
    return SITE.safe_substitute(
        link_http=link_http, link_location=link_location,
        upstreams="\n".join(f"    server {u} max_fails=1 fail_timeout=5s;" for u in site.upstreams),
        listen=site.listen, server_name=site.server_name, max_body_mb=settings.MAX_REQUEST_MB,
        static_root=str(settings.STATIC_ROOT or settings.DATA_DIR / "static").rstrip("/"),
        files_dir=str(settings.FILES_DIR).rstrip("/"), handoff_prefix=settings.FILES_HANDOFF_PREFIX,
        too_large_page=TOO_LARGE_PAGE, too_large_json=TOO_LARGE_JSON, proxy_params=site.proxy_params,
        trace=trace, s3_location=s3_location)


def write_site(path: Path, text: str) -> None:
    """Write the rendered site; with signed links it holds their secret, so it is readable by its owner only
    (nginx's master reads it as root), and the link log's folder is made for nginx to write in."""
    if not links_served():
        path.write_text(text, encoding="utf-8")
        return
    Path(settings.FILES_LINK_LOG).parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an existing file keeps its mode through O_CREAT: made private here
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def too_large_texts() -> tuple[str, str]:
    """(title, message) of a request over the limit, in the active language: the words vanthu's API uses."""
    return _("Tệp gửi lên quá lớn"), _(
        "Yêu cầu vượt quá tổng dung lượng cho phép của một lần gửi (%(mb)s MB); mỗi tệp không quá "
        "%(file_mb)s MB.") % {"mb": settings.MAX_REQUEST_MB, "file_mb": settings.MAX_UPLOAD_MB}


def write_error_pages(static_root: Path) -> list[Path]:
    """The answers nginx gives by itself: errors/413.html (Vietnamese, then English) and errors/413.json."""
    folder = static_root / "errors"
    folder.mkdir(parents=True, exist_ok=True)
    parts = []
    for language in ("vi", "en"):
        with translation.override(language):
            parts.append(too_large_texts())
    with translation.override("vi"):
        context = {"parts": parts, "status": 413, "css": f"{settings.STATIC_URL}vanthu/app.css"}
        html = loader.get_template("errors/too_large.html").render(context)
        body = json.dumps({"error": {"code": "request_too_large", "message": parts[0][1], "field": None}},
                          ensure_ascii=False)
    page, data = folder / "413.html", folder / "413.json"
    page.write_text(html, encoding="utf-8")
    data.write_text(body, encoding="utf-8")
    return [page, data]
