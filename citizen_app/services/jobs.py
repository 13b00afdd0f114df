"""Background jobs: run after the transaction that asked for them commits, never inside the user's request.

- ``enqueue("citizen_app.services.push.deliver", outbox_id)`` remembers the job on the session; when the
  session commits, the job is handed to the backend. A rollback drops it (nothing is sent for a change that
  did not happen).
- Backends, chosen by configuration:
  - ``rq`` when ``REDIS_URL`` is set: the job goes to an RQ queue on Redis; any number of app servers put
    jobs there and any number of ``flask --app citizen_app worker`` processes take them.
  - ``thread`` (the embedded default): a small thread pool in the app process runs the job in its own app
    context after the commit.
  - ``sync`` (tests): run right after the commit, in the same thread, so tests are deterministic.
- A job is a dotted path to a function plus plain arguments (ids, never objects): it loads what it needs.
- A job that cannot be handed over (Redis is away) is logged as a warning and dropped, never raised: the
  change it belongs to is already committed, so the person's request must still succeed. What must not be lost
  is kept in the database first (a push stays pending in its outbox row) and ``flask run-jobs`` sends it.
"""

from __future__ import annotations

import importlib
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from citizen_app.extensions import db

log = logging.getLogger(__name__)
QUEUE_NAME = "minsip"
_PENDING = "minsip_pending_jobs"
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def backend_name(app: Flask) -> str:
    configured = app.config.get("JOBS_BACKEND")
    if configured:
        return configured
    return "rq" if app.config.get("REDIS_URL") else "thread"


def enqueue(name: str, *args, delay_seconds: int = 0) -> None:
    """Run ``name(*args)`` once the current transaction has committed."""
    db.session.info.setdefault(_PENDING, []).append((name, args, delay_seconds))


@event.listens_for(Session, "after_commit")
def _dispatch_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT was released: the real commit is still to come
    jobs = session.info.pop(_PENDING, [])
    if not jobs or not has_app_context():
        return
    # current_app is a LocalProxy, though Flask types it as the Flask object: the jobs need the app itself.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for position, (name, args, delay) in enumerate(jobs):
        try:
            submit(app, name, args, delay)
        except Exception as error:  # the commit is done: raising now would only turn it into a 500
            # Do not wait for the queue once per job: the rest of this commit's jobs are left as well.
            log.warning(
                "%s job(s) could not be queued (%s: %s), first %s%r; what they were for stays in the "
                "database (a push in its outbox) and `flask run-jobs` picks it up",
                len(jobs) - position,
                type(error).__name__,
                error,
                name,
                tuple(args),
            )
            return


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def submit(app: Flask, name: str, args: tuple, delay_seconds: int = 0) -> None:
    backend = backend_name(app)
    if backend == "rq":
        queue = rq_queue(app)
        if delay_seconds:
            from datetime import timedelta

            queue.enqueue_in(timedelta(seconds=delay_seconds), run_job, name, list(args))
        else:
            queue.enqueue(run_job, name, list(args))
    elif backend == "sync":
        if not delay_seconds:  # a retry in tests is run by hand (run_due) rather than waited for
            _run_in_new_context(app, name, args)
    else:
        if delay_seconds:
            timer = threading.Timer(delay_seconds, _pool_submit, args=(app, name, args))
            timer.daemon = True
            timer.start()
        else:
            _pool_submit(app, name, args)


def _pool_submit(app: Flask, name: str, args: tuple) -> None:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="minsip-job")
    _pool.submit(_run_in_new_context, app, name, args)


def _run_in_new_context(app: Flask, name: str, args: tuple) -> None:
    """A job gets its own app context and session, commits on success, and never raises into the caller."""
    with app.app_context():
        try:
            run_job(name, list(args))
        except Exception:  # a job's failure is recorded by the job itself (outbox); log and go on
            log.exception("job %s failed", name)
            db.session.rollback()
        finally:
            db.session.remove()


def run_job(name: str, args: list) -> None:
    """What a worker runs: resolve the function, call it, commit. Inside the worker's app context."""
    module_name, _, function_name = name.rpartition(".")
    if not module_name.startswith("citizen_app."):
        raise ValueError(f"not a Min SIP job: {name}")
    function = getattr(importlib.import_module(module_name), function_name)
    try:
        function(*args)
        db.session.commit()
    except Exception:
        db.session.rollback()  # one failing job must not leave a broken session to the next one
        raise
    finally:
        db.session.remove()  # a long-lived worker starts each job with a fresh session


# An app server gives up on Redis quickly: a person's request must not hang on a queue that is away.
REDIS_TIMEOUTS = {"socket_connect_timeout": 2, "socket_timeout": 5}


def rq_queue(app: Flask, for_worker: bool = False):
    """The RQ queue. A worker's connection keeps RQ's own (long) socket timeout for its blocking waits."""
    from redis import Redis
    from rq import Queue

    options = {} if for_worker else REDIS_TIMEOUTS
    return Queue(QUEUE_NAME, connection=Redis.from_url(app.config["REDIS_URL"], **options))


def run_worker(app: Flask, burst: bool = False) -> None:
    """``flask worker``: take jobs from Redis until stopped (or until the queue is empty with ``burst``).

    A SimpleWorker runs jobs in this process, inside the app context pushed here.
    """
    from rq import SimpleWorker

    queue = rq_queue(app, for_worker=True)
    with app.app_context():
        SimpleWorker([queue], connection=queue.connection).work(burst=burst, with_scheduler=True)


# The scheduler's round [issue 18]: with Redis, the first scheduler to ask takes the round; the key lives a
# little less than a round, so the same scheduler takes the next one and a second scheduler only waits.
SCHEDULER_KEY = "minsip:scheduler:round"


def take_scheduler_round(app: Flask, every_seconds: int) -> bool:
    """Whether this scheduler runs this round. Without Redis there is nothing to share a lock through: it
    always does (two would only repeat work that is safe to repeat: reminders have keys, pushes are
    claimed)."""
    if backend_name(app) != "rq":
        return True
    import os
    import socket

    from redis import Redis

    connection = Redis.from_url(app.config["REDIS_URL"], **REDIS_TIMEOUTS)
    try:
        holder = f"{socket.gethostname()}:{os.getpid()}"
        return bool(connection.set(SCHEDULER_KEY, holder, nx=True, px=int(every_seconds * 900)))
    finally:
        connection.close()
