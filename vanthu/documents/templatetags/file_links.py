"""`{% file_url document sha256 name %}`: a file's download address on a page — the signed link the view minted
(`file_links` in the context, core/links.py, decision 0035) or else the checked path through vanthu."""

from __future__ import annotations

from typing import Any

from django import template
from django.template import Context
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def file_url(context: Context, document: Any, sha256: str, name: str = "", content_type: str = "") -> str:
    minter = context.get("file_links")
    if minter is not None and sha256:
        link = minter.url(sha256, str(name), content_type)
        if link:
            return str(link)
    return reverse("document_file", args=[document.pk, sha256])
