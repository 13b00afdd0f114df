"""Flask commands: ``upgrade-db``, ``load-demo``, ``new-migration``, ``send-reminders``, ``vapid-keys`` and
the job worker. ``demo`` is in demo_cli.py."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from citizen_app import database

# The commands import the services when they run, not here: every ``flask`` call loads this module (vapid-keys
# is a plugin command), and the services would bring the models and the database with them.


def init_app(app: Flask) -> None:
    # ``demo`` (citizen_app/demo_cli.py) is registered as a Flask plugin command (pyproject entry point), so
    # it runs without first building a production app that would refuse to start without secrets.
    app.cli.add_command(upgrade_db_command)
    app.cli.add_command(load_demo_command)
    app.cli.add_command(new_migration_command)
    app.cli.add_command(send_reminders_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(run_jobs_command)


@click.command("upgrade-db")
@with_appcontext
def upgrade_db_command() -> None:
    """Run the database migrations up to the newest."""
    database.upgrade()
    click.echo("Migrations done.")


@click.command("load-demo")
@with_appcontext
def load_demo_command() -> None:
    """Load the demo people (demo and test modes only)."""
    if not current_app.config["DEMO_LOGIN_ENABLED"]:
        raise click.ClickException("Demo data is never loaded in production.")
    load_demo()


@click.command("new-migration")
@click.argument("message")
@with_appcontext
def new_migration_command(message: str) -> None:
    """Autogenerate a migration from the models (compares with the app's database, which must be at head)."""
    database.revision(message)


@click.command("send-reminders")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Run as if it were this day.")
@with_appcontext
def send_reminders_command(today) -> None:
    """Send the reminders that are due (consent, meeting tomorrow, follow-up, staff deadlines).

    Run it once a day, e.g. from cron; running it twice sends nothing twice.
    """
    from citizen_app.extensions import db
    from citizen_app.services import reminders

    sent = reminders.run_all(today.date() if today else reminders.today_in_sweden())
    db.session.commit()
    for kind, count in sent.items():
        click.echo(f"{kind}: {count}")
    click.echo(f"Reminders sent: {sum(sent.values())}")


def load_demo() -> None:
    """Load the demo people and commit."""
    from citizen_app.extensions import db
    from citizen_app.services.demo import load_demo_data

    load_demo_data()
    db.session.commit()


@click.command("vapid-keys")
def vapid_keys_command() -> None:
    """Make a VAPID key pair for Web Push; put them in MINSIP_VAPID_PRIVATE_KEY and MINSIP_VAPID_PUBLIC_KEY.

    A plugin command (like ``demo``): it needs no app, so it runs before any secret is configured.
    """
    from citizen_app.services.vapid import new_key_pair

    private, public = new_key_pair()
    click.echo(f"MINSIP_VAPID_PRIVATE_KEY={private}")
    click.echo(f"MINSIP_VAPID_PUBLIC_KEY={public}")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Take background jobs (pushes, reminders) from Redis (needs REDIS_URL). Run as many as you need."""
    from citizen_app.services import jobs

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException(
            "Set MINSIP_REDIS_URL (or REDIS_URL): the worker takes its jobs from Redis."
        )
    # current_app is a LocalProxy, though Flask types it as the Flask object: the worker needs the app itself.
    jobs.run_worker(current_app._get_current_object(), burst=burst)  # type: ignore[attr-defined]


@click.command("run-jobs")
@click.option(
    "--enqueue",
    is_flag=True,
    help="Put the jobs on the Redis queue for `flask worker` instead of running them here.",
)
@with_appcontext
def run_jobs_command(enqueue: bool) -> None:
    """For cron, every few minutes: send the reminders that are due and retry pushes that failed before, and
    delete sessions past their 12 hours and the record of forms taken more than a day ago.

    With ``--enqueue`` (Redis) the two jobs go on the queue and a ``flask worker`` runs them, so cron can stay
    on one small machine. Running either way twice sends nothing twice.
    """
    from citizen_app.extensions import db
    from citizen_app.services import jobs, push, reminders, submissions, web_sessions

    # Housekeeping, on any backend: one DELETE each, so they run here rather than as queued jobs.
    expired = web_sessions.delete_expired()
    forgotten = submissions.forget_old()
    db.session.commit()
    click.echo(f"Expired sessions deleted: {expired}.")
    click.echo(f"Forms taken more than a day ago forgotten: {forgotten}.")
    if enqueue:
        app = current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy (see worker)
        if jobs.backend_name(app) != "rq":
            raise click.ClickException("--enqueue needs Redis: set MINSIP_REDIS_URL (or REDIS_URL).")
        for job in (reminders.JOB, "citizen_app.services.push.run_due"):
            jobs.submit(app, job, ())
        click.echo("Queued: reminders, push retries.")
        return
    sent = reminders.run_all(reminders.today_in_sweden())
    db.session.commit()
    retried = push.run_due()
    db.session.commit()
    click.echo(f"Reminders: {sum(sent.values())}. Pushes retried: {retried}.")
