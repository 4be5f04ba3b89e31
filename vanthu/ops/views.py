"""The jobs page (administrators) and /healthz (anyone: states only, nothing sensitive)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from vanthu.core import blobs
from vanthu.core.errors import ActionRefused
from vanthu.jobs import queries
from vanthu.ops import actions
from vanthu.org.models import Person
from vanthu.org.queries import scope_of
from vanthu.org.second_factor import admin_step_up


def _admin(request: HttpRequest) -> Person:
    person = getattr(request, "person", None)
    if person is None or not scope_of(person).is_admin:
        raise Http404
    return person


@admin_step_up
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    _admin(request)
    context = {"o": queries.overview()}
    if request.headers.get("HX-Request"):
        return render(request, "jobs/list.html#lists", context)
    return render(request, "jobs/list.html", context)


@admin_step_up
@require_POST
def job_retry(request: HttpRequest, job_id: str) -> HttpResponse:
    person = _admin(request)
    try:
        actions.retry_job(job_id=job_id[:64], acting=person)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã đưa việc trở lại hàng đợi; việc sẽ chạy lại ngay khi có tiến trình rảnh."))
    return redirect("jobs:list")


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The state of every part — the database, the file store (local disk or object storage), the job queue
    (its engine and live workers) and the cache — and which app server answered (VANTHU_SERVER_ID, the name it
    already gives in X-Vanthu-Server); 503 when a part is down. Only states, kinds and counts: no address, path
    or error text."""
    from django.conf import settings

    database = queries.database_ok()
    files = blobs.store_ok()
    files_kind = "s3" if str(settings.FILES_URL).startswith("s3://") else "local"
    jobs: dict[str, object] = {"ok": False}
    if database:
        o = queries.overview(limit=1)
        jobs = {"ok": o.reachable, "engine": o.engine, "lag_seconds": round(o.lag_seconds, 1),
                "waiting": o.waiting_count, "failed": o.failed_count, "workers": len(o.workers)}
        if o.parked:
            jobs["parked"] = o.parked
    cache = _cache_state()
    ok = database and files and bool(jobs["ok"]) and bool(cache["ok"])
    body: dict[str, object] = {"status": "ok" if ok else "down", "database": {"ok": database},
                               "files": {"ok": files, "kind": files_kind}, "jobs": jobs, "cache": cache}
    if settings.SERVER_ID:
        body["server"] = settings.SERVER_ID
    return JsonResponse(body, status=200 if ok else 503)


def _cache_state() -> dict[str, object]:
    """The shared cache (Redis when VANTHU_REDIS_URL is set: sessions' neighbours, rate-limit counters) answers a
    write and a read; a process-local cache is reported as such and is always "ok"."""
    import secrets

    from django.conf import settings
    from django.core.cache import cache

    backend = str(settings.CACHES["default"]["BACKEND"])
    kind = "redis" if "redis" in backend.lower() else "local"
    if kind == "local":
        return {"ok": True, "kind": kind}
    probe = secrets.token_hex(8)
    try:
        cache.set("vanthu:healthz", probe, 10)
        return {"ok": cache.get("vanthu:healthz") == probe, "kind": kind}
    except Exception:  # any client error: the cache does not answer
        return {"ok": False, "kind": kind}
