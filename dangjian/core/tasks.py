"""Background jobs. Celery runs them when a broker is configured; the embedded set-up
(no Redis) runs them in a thread of the web process so pages can show progress; tests
run them inline."""

from __future__ import annotations

import threading
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction

from dangjian.core import imports


@shared_task
def check_import(batch_id: int) -> None:
    imports.check_batch(batch_id)


@shared_task
def commit_import(batch_id: int) -> None:
    imports.commit_batch(batch_id)


def _run_in_thread(task: Any, args: tuple[Any, ...]) -> None:
    def target() -> None:
        try:
            task.run(*args)
        finally:
            connection.close()

    threading.Thread(target=target, daemon=True).start()


def run_in_background(task: Any, *args: Any) -> None:
    """Start ``task`` once the current transaction commits, as settings.BACKGROUND_JOBS
    says: "celery", "thread" or "inline"."""
    mode = settings.BACKGROUND_JOBS
    if mode == "inline":
        task.run(*args)
    elif mode == "thread":
        transaction.on_commit(lambda: _run_in_thread(task, args))
    else:
        transaction.on_commit(lambda: task.delay(*args))
