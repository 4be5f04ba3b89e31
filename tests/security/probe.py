"""One cell of the access matrix: one endpoint, one character, one method — the request, its outcome class, and
what the response shows (the canaries of documents that character may not see), with nothing written when the
request is refused.

Outcome classes: "login" (a redirect to the login page), "401", "403", "404", "405", "5xx", and "ok" for any
other answer (the request passed the access check: 2xx, a redirect elsewhere, or a 400/409/422 refusal of the
empty form or body, which the rights check precedes).
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from tests.security.world import World, canary
from vanthu.audit.models import AuditEvent

CANARY = re.compile(r"CANARY[A-Z0-9]+")


@dataclass
class Outcome:
    status: int
    kind: str
    canaries: set[str]
    wrote: bool
    location: str = ""


def classify(response: Any) -> str:
    code = response.status_code
    location = response.get("Location", "") if code in (301, 302, 303) else ""
    if location and location.split("?")[0].rstrip("/").endswith("/login"):
        return "login"
    if code >= 500:
        return "5xx"
    if code in (401, 403, 404, 405):
        return str(code)
    return "ok"


def _body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def text_of(response: Any) -> str:
    """What a person reads in the response: HTML, JSON, CSV as text; a PDF's text (pdftotext); an XLSX's cells;
    a ZIP's members' names and text."""
    data = _body(response)
    kind = response.get("Content-Type", "")
    if data.startswith(b"%PDF"):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
            pdf.write(data)
            pdf.flush()
            done = subprocess.run([shutil.which("pdftotext") or "pdftotext", pdf.name, "-"], capture_output=True,
                                  check=False)
        return done.stdout.decode("utf-8", "replace")
    if data.startswith(b"PK"):
        found = []
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.namelist():
                    found.append(member)
                    found.append(archive.read(member).decode("utf-8", "replace"))
        except zipfile.BadZipFile:
            pass
        if "spreadsheet" in kind:
            from openpyxl import load_workbook

            book = load_workbook(io.BytesIO(data), read_only=True)
            for sheet in book.worksheets:
                for row in sheet.iter_rows(values_only=True):
                    found += [str(v) for v in row if v is not None]
        return "\n".join(found)
    return data.decode("utf-8", "replace")


def fingerprint() -> tuple[int, ...]:
    """The row count of every table but the audit's (one query), and the last audit event's id."""
    tables = sorted({m._meta.db_table for m in apps.get_models()
                     if m._meta.managed and not m._meta.proxy and m._meta.app_label != "audit"})
    counts = ", ".join(f"(SELECT COUNT(*) FROM {connection.ops.quote_name(t)})" for t in tables)  # noqa: S608  (model tables)
    sql = f"SELECT {counts}"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        counts = tuple(cursor.fetchone())
    return (*counts, AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)


def wrote_since(before: tuple[int, ...]) -> bool:
    """Whether anything was written since `before`: a row anywhere, or an audit event other than a refusal's
    (an action that refuses rolls back and records `<verb>.refused`: vanthu/core/actions.py)."""
    after = fingerprint()
    if after[:-1] != before[:-1]:
        return True
    verbs = AuditEvent.objects.filter(pk__gt=before[-1]).values_list("verb", flat=True)
    return any(not verb.endswith(".refused") for verb in verbs)


def client_for(world: World, persona: str, *, api: bool) -> Client:
    """A fresh client carrying the character's session, made once with the world (a request that logs out is
    rolled back, and its client thrown away)."""
    client = Client()
    if persona != "anon" and not api:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona]
    return client


def resolve(world: World, spec: str) -> Any:
    """An argument's value from the world: a document or object name (its pk), `sha:DOC` (the document's main
    file), `=literal`, or `absent` (an id no row has)."""
    if spec.startswith("="):
        return spec[1:]
    if spec.startswith("sha:"):
        return world.doc(spec[4:]).current_file_id
    if spec.startswith("attr:"):
        name, attribute = spec[5:].split(".")
        return getattr(world.objects[name], attribute)
    if spec.startswith("obj:"):
        return getattr(world.cast, spec[4:]).pk
    if spec.startswith("uuid:"):
        return str(world.objects[spec[5:]].pk)
    return world.pk(spec)


def url_of(world: World, endpoint: str, args: dict[str, str]) -> str:
    """The endpoint's URL; an argument whose name starts with "?" is a query parameter."""
    values = {key: resolve(world, spec) for key, spec in args.items() if not key.startswith("?")}
    query = urlencode({key[1:]: resolve(world, spec) for key, spec in args.items() if key.startswith("?")})
    if " " in endpoint:  # an API operation: "METHOD /path/{param}"
        path = endpoint.split(" ", 1)[1]
        for key, value in values.items():
            path = path.replace("{" + key + "}", str(value))
        url = "/api/v1" + path
    else:
        url = reverse(endpoint, kwargs=values or None)
    return f"{url}?{query}" if query else url


def _api_post(client: Client, endpoint: str, url: str, headers: dict[str, str]) -> Any:
    """POST the smallest body the operation's schema accepts (a file part is a one-page PDF), so the request meets
    the access check rather than the validation."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.security.endpoints import request_body
    from tests.security.matrix_table import BODIES
    from vanthu.demo.pdfs import sample_incoming

    found = ("application/json", BODIES[endpoint]) if endpoint in BODIES else request_body(endpoint)
    if found is None:
        return client.post(url, headers=headers)
    kind, body = found
    if kind.startswith("multipart"):
        data = {k: (SimpleUploadedFile("van-ban.pdf", sample_incoming(), "application/pdf") if v is None else v)
                for k, v in body.items()}
        return client.post(url, data, headers=headers)
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def request(world: World, endpoint: str, args: dict[str, str], persona: str, method: str, *,
            watch: bool = True) -> Outcome:
    """Make the request in a savepoint rolled back afterwards; `watch`: whether to look for writes (the refused
    cells)."""
    api = " " in endpoint
    client = client_for(world, persona, api=api)
    headers = {"Accept-Language": "vi"}
    if api and persona != "anon":
        headers["Authorization"] = f"Bearer {world.tokens[persona]}"
    url = url_of(world, endpoint, args)
    before = fingerprint() if watch else ()
    with transaction.atomic():
        if method == "GET":
            response = client.get(url, headers=headers)
        elif api:
            response = _api_post(client, endpoint, url, headers)
        else:
            response = client.post(url, {}, headers=headers)
        kind = classify(response)
        shown = set(CANARY.findall(text_of(response))) if kind == "ok" else set()
        wrote = wrote_since(before) if watch else False
        transaction.set_rollback(True)
    return Outcome(status=response.status_code, kind=kind, canaries=shown, wrote=wrote,
                   location=response.get("Location", ""))


def canaries_of(names: list[str]) -> set[str]:
    return {canary(name) for name in names}
