"""Ops' writes: retry a failed job (administrators); the audit chains' checkpoints (decision 0022)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks.base import TaskResultStatus

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.errors import ActionRefused
from vanthu.jobs.backends import BROKER_DOWN, on_redis
from vanthu.ops import audit_trail
from vanthu.org.access import Actor, require_admin_of, require_admin_of_all
from vanthu.org.models import Person, Unit
from vanthu.org.queries import scope_of
from vanthu.signing.types import SigningRefused


def _not_failed() -> ActionRefused:
    return ActionRefused(_("Việc này không còn ở trạng thái lỗi (đã chạy lại hoặc đã bị xóa)."),
                         code="job_not_failed", status=409)


@action("jobs.job.retried")
def retry_job(*, job_id: str, acting: Person) -> str:
    """Put a failed job back in the queue with a fresh set of attempts; its last error stays in the audit."""
    if not scope_of(acting).is_admin:
        raise ActionRefused(_("Chỉ quản trị hệ thống mới chạy lại được việc nền."), code="forbidden", status=403)
    if on_redis():
        name, error = _retry_on_redis(job_id)
    else:
        name, error = _retry_in_database(job_id)
    log.record(actor=acting, verb="jobs.job.retried", target=("jobs.job", job_id),
               data={"job": name, "last_error": error[:300]})
    return job_id


def _retry_in_database(job_id: str) -> tuple[str, str]:
    from django.core.exceptions import ValidationError
    from django_tasks_db.models import DBTaskResult, get_date_max

    try:
        row = DBTaskResult.objects.select_for_update().filter(pk=job_id).first()
    except ValidationError:
        row = None
    if row is None or row.status != TaskResultStatus.FAILED:
        raise _not_failed()
    error = (row.traceback.strip().splitlines() or [""])[-1]
    row.status = TaskResultStatus.READY
    row.run_after = get_date_max()
    row.worker_ids = []
    row.finished_at = None
    row.enqueued_at = timezone.now()  # waiting again from now (the page's "oldest waiting" counts from here)
    row.save(update_fields=["status", "run_after", "worker_ids", "finished_at", "enqueued_at"])
    return row.task_path, error


def _retry_on_redis(job_id: str) -> tuple[str, str]:
    import django_rq
    from django_tasks_rq.backend import Job
    from rq.exceptions import InvalidJobOperation, NoSuchJobError
    from rq.registry import FailedJobRegistry

    try:
        queue = django_rq.get_queue("default", job_class=Job)
        registry = FailedJobRegistry(queue=queue)
        if job_id not in registry.get_job_ids():
            raise _not_failed()
        job = Job.fetch(job_id, connection=queue.connection)
        latest = job.latest_result()
        error = ((latest.exc_string or "").strip().splitlines() or [""])[-1] if latest else ""
        registry.requeue(job_id)
    except (NoSuchJobError, InvalidJobOperation) as exc:
        raise _not_failed() from exc
    except BROKER_DOWN as exc:
        raise ActionRefused(_("Không kết nối được Redis (hàng đợi việc nền). Hãy thử lại sau."),
                            code="queue_down", status=503) from exc
    return str(job.func_name), error


@action("audit.checkpoint.made")
def make_checkpoints(*, acting: Actor, unit: Unit | None = None) -> list[tuple[str, int, bool]]:
    """Checkpoint every chain (of `unit`'s subtree when given): [(chain, seq, made now)]. Idempotent. The
    checkpoint rows are their own record (an audit event about them would move the head they seal)."""
    if unit is None:
        require_admin_of_all(acting)
    else:
        require_admin_of(acting, unit)
    done: list[tuple[str, int, bool]] = []
    by_top: dict[int, tuple[Unit, list[str]]] = {}
    for chain in audit_trail.chains_under(unit):
        top = audit_trail.top_unit_of(chain)
        if top is None:
            continue
        by_top.setdefault(top.pk, (top, []))[1].append(chain)
    for top, chains in by_top.values():
        try:
            with audit_trail.sealer(top) as (sign, signer):
                for chain in chains:
                    row, made = audit_trail.checkpoints.make(chain, sign=sign, signer=signer)
                    if row is not None:
                        done.append((chain, row.seq, made))
        except SigningRefused as exc:
            raise ActionRefused(_("Không ký được điểm kiểm tra nhật ký bằng khóa của %(unit)s: %(reason)s")
                                % {"unit": top.name, "reason": exc.message}, code="no_audit_key") from exc
    return done


@action("audit.checkpoint.requested")
def request_checkpoint(*, unit: Unit, acting: Actor) -> None:
    """An administrator asks for a checkpoint of the unit's chains now: the job signs it after the commit."""
    from vanthu.jobs import enqueue_on_commit

    require_admin_of(acting, unit)
    log.record(actor=acting, verb="audit.checkpoint.requested", target=unit, unit=unit)
    enqueue_on_commit("vanthu.ops.jobs.checkpoint_unit", unit.pk)
