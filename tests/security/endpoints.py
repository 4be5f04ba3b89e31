"""Every endpoint vanthu serves, read from the URLconf and from the OpenAPI document (never listed by hand).

A page is named by its URL name (`namespace:name`); an API operation by its method and OpenAPI path
(`GET /documents/{document_id}`). The API's URL patterns (django-ninja's, under /api/v1/) are matched to the
OpenAPI document's paths, so the two cannot disagree silently either.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

API_PREFIX = "api/v1/"
METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Pattern:
    name: str  # namespace:name
    route: str  # the full route, as the resolver shows it
    module: str  # the view's module


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[Pattern]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            callback = entry.callback
            yield Pattern(name=namespace + (entry.name or f"<unnamed {prefix}{entry.pattern}>"),
                          route=prefix + str(entry.pattern), module=getattr(callback, "__module__", ""))


def url_patterns() -> list[Pattern]:
    """Every URL pattern of the URLconf, recursively."""
    return list(_walk(get_resolver()))


def is_api_operation(pattern: Pattern) -> bool:
    """A django-ninja operation (listed in the OpenAPI document, not by URL name)."""
    return pattern.route.startswith(API_PREFIX) and pattern.module.startswith("ninja")


def page_names() -> list[str]:
    """The URL names of every pattern that is not an API operation (the API's own documents included)."""
    return sorted({p.name for p in url_patterns() if not is_api_operation(p)})


@functools.cache
def openapi() -> dict:
    from django.test import Client

    response = Client().get(f"/{API_PREFIX}openapi.json")
    assert response.status_code == 200, response.status_code
    return json.loads(response.content)


def api_operations() -> list[str]:
    """Every operation of the OpenAPI document, as "METHOD /path" (the path without the /api/v1 prefix)."""
    found = []
    for path, item in openapi()["paths"].items():
        short = path.removeprefix(f"/{API_PREFIX.rstrip('/')}")
        found += [f"{method.upper()} {short}" for method in METHODS if method in item]
    return sorted(found)


def api_routes_missing_from_openapi() -> list[str]:
    """The ninja URL patterns whose path the OpenAPI document does not list (hidden operations)."""
    listed = {re.sub(r"\{[^}]+\}", "{}", path.removeprefix("/" + API_PREFIX.rstrip("/")))
              for path in openapi()["paths"]}
    missing = []
    for pattern in url_patterns():
        if is_api_operation(pattern):
            path = "/" + pattern.route.removeprefix(API_PREFIX)
            if path == "/":
                continue
            if re.sub(r"<[^>]+>", "{}", path) not in listed:
                missing.append(pattern.route)
    return missing


def _schema(ref_or_schema: dict) -> dict:
    ref = ref_or_schema.get("$ref")
    if ref:
        found: dict = openapi()
        for part in ref.removeprefix("#/").split("/"):
            found = found[part]
        return found
    return ref_or_schema


def _value(schema: dict, name: str) -> object:
    schema = _schema(schema)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if _schema(s).get("type") != "null"]
            return _value(options[0], name) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return body_of(schema)
    if kind == "array":
        return [_value(schema.get("items", {}), name)]
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return "2030-01-10"
    if schema.get("format") == "date-time":
        return "2030-01-10T08:00:00+07:00"
    if schema.get("format") == "uuid":
        return "6f1c6f39-3d3a-4a6f-9a2e-0d0b4c2e7a11"
    if schema.get("format") == "binary":
        return None
    return "Kiểm thử"


def body_of(schema: dict) -> dict:
    """A smallest body the schema accepts: each required property with a plain value of its type (so the request
    passes validation and meets the access check)."""
    schema = _schema(schema)
    properties = schema.get("properties", {})
    return {name: _value(properties[name], name) for name in schema.get("required", []) if name in properties}


def request_body(operation: str) -> tuple[str, dict] | None:
    """(content type, body) of an API operation's smallest valid request body, or None when it takes none."""
    method, path = operation.split(" ", 1)
    item = openapi()["paths"][f"/{API_PREFIX.rstrip('/')}{path}"][method.lower()]
    content = item.get("requestBody", {}).get("content", {})
    for kind, spec in content.items():
        return kind, body_of(spec["schema"])
    return None
