"""The scheduler's rounds [issue 18] (``flask scheduler``, services/jobs.py): with Redis, one scheduler takes
a round and any other waits for the next; without Redis each runs its round itself (the work is safe to
repeat). Two schedulers running together are tested as processes in tests/web/test_process_list.py."""

from __future__ import annotations

import time

from citizen_app.services import jobs
from tests.unit.test_jobs_redis import REDIS_URL, redis_db  # noqa: F401  (the fixture: Redis or skip)


def test_with_redis_one_scheduler_takes_a_round_and_the_next_round_is_free_again(app, redis_db):  # noqa: F811
    app.config.update(JOBS_BACKEND="rq", REDIS_URL=REDIS_URL)
    assert jobs.take_scheduler_round(app, every_seconds=10)
    assert not jobs.take_scheduler_round(app, every_seconds=10)  # a second scheduler in the same round
    ttl = redis_db.pttl(jobs.SCHEDULER_KEY)
    assert 8000 < ttl <= 9000  # a little less than a round: the same scheduler takes its next one
    redis_db.pexpire(jobs.SCHEDULER_KEY, 50)  # the round ends
    time.sleep(0.1)
    assert jobs.take_scheduler_round(app, every_seconds=10)


def test_without_redis_every_scheduler_runs_its_round(app):
    assert jobs.backend_name(app) != "rq"
    assert jobs.take_scheduler_round(app, every_seconds=10)
    assert jobs.take_scheduler_round(app, every_seconds=10)
