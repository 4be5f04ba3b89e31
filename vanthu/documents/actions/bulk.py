"""Bulk work for the clerk (issue 12 item 9): register several arrivals at once. All or nothing: one item the
clerk may not register (another unit's, already registered, not visible) refuses the whole batch, and nothing
changes but the refusal's audit entry."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.errors import ActionRefused
from vanthu.documents import access
from vanthu.documents.actions.incoming import register_received
from vanthu.documents.models import Document
from vanthu.org.models import Person
from vanthu.org.queries import scope_of

BULK_LIMIT = 100


def batch(document_ids: Sequence[int], *, acting: Person, need: access.Need) -> list[Document]:
    """The documents of a bulk action, locked, in the order given; refused as a whole when one of them is not
    visible to `acting` or not open to `need` (named by its notation or số đến when visible)."""
    ids = list(dict.fromkeys(int(i) for i in document_ids))
    if not ids:
        raise ActionRefused(_("Hãy chọn ít nhất một văn bản."), code="nothing_selected", field="ids")
    if len(ids) > BULK_LIMIT:
        raise ActionRefused(_("Mỗi lần chỉ chọn được tối đa %(n)s văn bản.") % {"n": BULK_LIMIT},
                            code="too_many", field="ids")
    visible = Document.objects.filter(access.visible_q(scope_of(acting)), pk__in=ids)
    found = {d.pk: d for d in visible.select_for_update(of=("self",)).select_related("unit", "doc_type")}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ActionRefused(
            ngettext("%(n)s văn bản đã chọn không thuộc đơn vị của đồng chí hoặc không còn; không thực hiện "
                     "văn bản nào.",
                     "%(n)s văn bản đã chọn không thuộc đơn vị của đồng chí hoặc không còn; không thực hiện "
                     "văn bản nào.", len(missing)) % {"n": len(missing)},
            code="outside_scope", field="ids", status=403,
        )
    documents = [found[i] for i in ids]
    for document in documents:
        if not access.allows(acting, document, need):
            name = document.notation or document.subject[:60]
            raise ActionRefused(
                _("Không thực hiện được với văn bản “%(name)s” (đơn vị khác hoặc trạng thái đã đổi); không thực "
                  "hiện văn bản nào.") % {"name": name},
                code="not_allowed", field="ids", target=document, status=403 if document.unit_id not in
                scope_of(acting).clerk_unit_ids else 409,
            )
    return documents


@action("documents.incoming.bulk_accepted")
def register_many(*, document_ids: Sequence[int], acting: Person) -> list[Document]:
    """Enter several electronic arrivals in the register, each with the metadata it came with (03 goes back
    for each), in the order chosen."""
    documents = batch(document_ids, acting=acting, need=access.Need.REGISTER)
    done = [register_received(document=d, acting=acting) for d in documents]
    log.record(actor=acting, verb="documents.incoming.bulk_accepted", target=None, unit=done[0].unit,
               data={"documents": [d.pk for d in done], "numbers": [d.number for d in done]})
    return done
