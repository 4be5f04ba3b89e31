"""Security headers on every response: a strict Content-Security-Policy (no inline script or style, no plugins,
no <base>, forms only to this site, framed only by this site), no-store by default, and more. Django's
SecurityMiddleware adds nosniff and the Referrer-Policy, its clickjacking middleware X-Frame-Options.
tests/security/test_headers.py checks them on every page."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "object-src 'none'",
        "frame-src 'self'",
        "frame-ancestors 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
    ]
)

PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=()"


def security_headers(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        # No copy left behind: pages and API answers may carry classified documents, so nothing is kept by the
        # browser or a proxy unless the view said otherwise (static files, public CRLs, unclassified files).
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    return middleware
