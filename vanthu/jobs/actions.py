"""The one write a person makes on jobs: retry a failed one (administrators)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_tasks.base import TaskResultStatus

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.errors import ActionRefused
from vanthu.jobs.backends import BROKER_DOWN, on_redis
from vanthu.org.models import Person
from vanthu.org.queries import scope_of


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
    row.save(update_fields=["status", "run_after", "worker_ids", "finished_at"])
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
    return job.func_name, error
