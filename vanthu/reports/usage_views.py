"""The security officer's page of reads (issue 13 item 3; checklist point 52; decision 0022): who opened,
downloaded and printed which document, searched and exported, when and from where, in the units where a person
is security officer (Role.SECURITY, "Cán bộ bảo mật") or leader — each grant reaching the unit's subtree. The
commander answers for the unit's secrets and keeps the page; administrators, who manage accounts and keys, do
not see it (separation of duties). Filter by unit, person (id or part of the name), document, kind of read,
dates and client address; `?format=csv` downloads the same rows. Anyone else gets 404. Looking at this page is
itself not recorded (it would record itself endlessly); its CSV export is.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from vanthu.audit import reads
from vanthu.audit.models import AuditEvent
from vanthu.org.models import Unit
from vanthu.org.queries import scope_of
from vanthu.org.views import require_person

PAGE = 200
CSV_MAX = 50_000
VERB_LABELS = {
    reads.VIEWED: gettext_lazy("Mở xem văn bản"), reads.DOWNLOADED: gettext_lazy("Tải tệp văn bản"),
    reads.PRINTED: gettext_lazy("In phiếu giải quyết"), reads.SEARCHED: gettext_lazy("Tra cứu"),
    reads.EXPORTED: gettext_lazy("Xuất kết quả tra cứu"), reads.REGISTER_PRINTED: gettext_lazy("In sổ đăng ký"),
    reads.REPORT_PRINTED: gettext_lazy("In báo cáo, sổ theo dõi"),
    reads.RECORD_EXPORTED: gettext_lazy("Xuất gói hồ sơ"),
}


def _label(event: AuditEvent) -> str:
    """The kind of read; a download nginx served from a signed link says so (its `via`, decision 0035)."""
    label = str(VERB_LABELS.get(event.verb, event.verb))
    via = event.data.get("via", "") if isinstance(event.data, dict) else ""
    return _("%(label)s (qua liên kết tải trực tiếp)") % {"label": label} if str(via).startswith("link-") else label


def _day(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@require_GET
def reads_page(request: HttpRequest) -> HttpResponse:
    person = require_person(request)
    scope = scope_of(person)
    paths = (*scope.leader_paths, *scope.security_paths)
    if not paths:
        raise Http404
    units = [u for u in Unit.objects.order_by("path") if any(u.path.startswith(p) for p in paths)]
    unit_ids = [u.pk for u in units]
    chosen = request.GET.get("unit", "")
    if chosen:
        if not chosen.isdigit() or int(chosen) not in unit_ids:
            raise Http404
        unit_ids = [int(chosen)]
    verb = request.GET.get("verb", "")
    if verb and verb not in reads.READ_VERBS:
        verb = ""
    actor = request.GET.get("person", "").strip()[:100]
    document = request.GET.get("document", "").strip()
    ip = request.GET.get("ip", "").strip()[:45]
    since, until = _day(request.GET.get("from", "")), _day(request.GET.get("to", ""))
    rows = reads.reads(unit_ids=unit_ids, verb=verb, actor_id=int(actor) if actor.isdigit() else None,
                       actor_name="" if actor.isdigit() else actor,
                       document_id=int(document) if document.isdigit() else None, ip=ip,
                       since=timezone.make_aware(dt.datetime.combine(since, dt.time())) if since else None,
                       until=timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
                       if until else None)
    names = {u.pk: u.short_name or u.name for u in units}
    if request.GET.get("format") == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([_("Thời điểm"), _("Người"), _("Hành động"), _("Đối tượng"), _("Đơn vị"), _("Địa chỉ IP"),
                         _("Trình duyệt"), _("Chi tiết")])
        count = 0
        for e in rows[:CSV_MAX]:
            data = e.data if isinstance(e.data, dict) else {}
            writer.writerow([timezone.localtime(e.at).isoformat(), e.actor_name, _label(e),
                             f"{e.target_type}:{e.target_id}" if e.target_type else "", names.get(e.unit_id, ""),
                             data.get("ip", ""), data.get("agent", ""),
                             "; ".join(f"{k}={v}" for k, v in data.items() if k not in ("ip", "agent"))])
            count += 1
        reads.record_read(request=request, actor=person, verb=reads.EXPORTED, unit=person.unit_id,
                          data={"export": "reads", "rows": count, "format": "csv"})
        response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="nhat-ky-khai-thac.csv"'
        response["Cache-Control"] = "no-store"
        return response
    events = list(rows[:PAGE])
    shown = [(e, _label(e), names.get(e.unit_id, ""),
              (e.data or {}).get("ip", "") if isinstance(e.data, dict) else "") for e in events]
    return render(request, "reports/reads.html", {
        "events": shown, "units": units, "verbs": list(VERB_LABELS.items()), "chosen": chosen, "verb": verb,
        "person_id": actor, "document": document, "ip": ip, "from": request.GET.get("from", ""),
        "to": request.GET.get("to", ""),
        "query": request.GET.urlencode(), "page_size": PAGE,
    })
