"""Flask commands: ``upgrade-db``, ``load-demo``, ``new-migration``, ``send-reminders``, ``vapid-keys``, the
job worker, ``run-jobs`` and the ``scheduler`` that runs it every 5 minutes; ``intake`` (the county's intake
configuration); ``retention``; ``import-organisation`` (principals, units and staff from a CSV file);
``register`` (the population register).
``demo`` is in demo_cli.py."""

from __future__ import annotations

from collections.abc import Callable

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
    app.cli.add_command(scheduler_command)
    app.cli.add_command(intake_group)
    app.cli.add_command(retention_command)
    app.cli.add_command(import_organisation_command)
    app.cli.add_command(register_group)


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
    delete sessions past their 12 hours, the record of forms taken more than a day ago, and closed SIPs and
    audit entries past their retention period (``flask retention`` shows what that removes).

    With ``--enqueue`` (Redis) the two jobs go on the queue and a ``flask worker`` runs them, so cron can stay
    on one small machine. Running either way twice sends nothing twice. ``flask scheduler`` does the same
    every 5 minutes without cron.
    """
    from citizen_app.services import jobs

    app = current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy (see worker)
    if enqueue and jobs.backend_name(app) != "rq":
        raise click.ClickException("--enqueue needs Redis: set MINSIP_REDIS_URL (or REDIS_URL).")
    run_periodic_jobs(enqueue, click.echo)


def run_periodic_jobs(enqueue: bool, say: Callable[[str], object]) -> None:
    """What ``flask run-jobs [--enqueue]`` and each round of ``flask scheduler`` do: housekeeping here, and
    the jobs queued for the workers (``enqueue``) or run here. ``say`` is told what was done, a line at a
    time. A new periodic job belongs here, so cron and the scheduler both run it."""
    from citizen_app.extensions import db
    from citizen_app.services import (
        jobs,
        organisation_import,
        outreach,
        push,
        reminders,
        retention,
        submissions,
        web_sessions,
    )
    from citizen_app.services.population_register import configured_source, reconcile

    # Housekeeping, on any backend: a few statements each, so they run here rather than as queued jobs.
    expired = web_sessions.delete_expired()
    forgotten = submissions.forget_old()
    uploads = organisation_import.forget_unapplied()  # files checked but not applied: a day at most
    # Retention [issue 18]: closed SIPs and audit entries past their period (by the Swedish day; running it
    # again the same day finds nothing more).
    removed = retention.run_daily(reminders.today_in_sweden())
    db.session.commit()
    say(f"Expired sessions deleted: {expired}.")
    say(f"Forms taken more than a day ago forgotten: {forgotten}.")
    say(f"Organisation files checked a day ago but not applied deleted: {uploads}.")
    say(f"Closed SIPs past their period removed: {removed}.")
    if enqueue:
        app = current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy (see worker)
        for job in (reminders.JOB, "citizen_app.services.push.run_due", outreach.RUN_DUE_JOB):
            jobs.submit(app, job, ())
        say("Queued: reminders, push retries, e-mail and SMS retries.")
        if configured_source() is not None:  # the population register [issue 18]
            jobs.submit(app, reconcile.JOB, ())
            say("Queued: population register.")
        return
    sent = reminders.run_all(reminders.today_in_sweden())
    db.session.commit()
    # Who is guardian with custody of each child with an open SIP, from the population register: each child
    # once a day (no-op without a register) [issue 18].
    custody = reconcile.refresh_open_sips(reminders.today_in_sweden())
    db.session.commit()
    if custody:
        say(f"Custody changes from the population register: {custody}.")
    retried = push.run_due()
    db.session.commit()
    mailed = outreach.run_due()
    db.session.commit()
    say(f"Reminders: {sum(sent.values())}. Pushes retried: {retried}. E-mail and SMS sent: {mailed}.")


@click.command("scheduler")
@click.option(
    "--every",
    type=click.IntRange(min=10),
    default=300,
    show_default=True,
    help="Seconds between rounds.",
)
@with_appcontext
def scheduler_command(every: int) -> None:
    """Run what `flask run-jobs --enqueue` does every 5 minutes, until stopped: no cron needed.

    With Redis the jobs go on the queue for the workers, and one round is taken by one scheduler only (a lock
    in Redis), so two schedulers (two machines, or a restart that overlaps) do the work once. Without Redis
    the jobs run in this process. Stops after the round it is in on SIGTERM or Ctrl+C.
    """
    import logging
    import signal
    import threading

    from citizen_app.extensions import db
    from citizen_app.services import jobs

    log = logging.getLogger("citizen_app.scheduler")
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy (see worker)
    enqueue = jobs.backend_name(app) == "rq"
    stop = threading.Event()
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, lambda *_: stop.set())
    log.info(
        "Scheduler started: a round every %s s, %s",
        every,
        "jobs queued for the workers" if enqueue else "jobs run in this process (no Redis)",
    )
    while not stop.is_set():
        try:
            if jobs.take_scheduler_round(app, every):
                run_periodic_jobs(enqueue, log.info)
            else:
                log.info("Another scheduler has taken this round.")
        except Exception:  # a failed round (Redis or the database away) must not stop the scheduler
            log.exception("The scheduled round failed; the next one is in %s s", every)
            db.session.rollback()
        finally:
            db.session.remove()
        stop.wait(every)
    log.info("Scheduler stopped.")


@click.command("retention")
@click.option("--apply", is_flag=True, help="Remove what is past its period (without it: only report).")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Run as if it were this day.")
@with_appcontext
def retention_command(apply: bool, today) -> None:
    """Closed SIPs and audit entries past their period (MINSIP_RETENTION_CLOSED_SIP_DAYS,
    MINSIP_RETENTION_AUDIT_DAYS): print what would be removed; ``--apply`` removes it. Prints SIP public ids
    and counts, never names or identity numbers. `flask run-jobs` does the same every day."""
    from citizen_app.extensions import db
    from citizen_app.services import reminders, retention

    report = retention.run(today.date() if today else reminders.today_in_sweden(), apply=apply)
    db.session.commit()
    click.echo(
        ("Removed" if apply else "Dry run, nothing removed (--apply removes)")
        + f". Closed SIPs are kept {report.sip_days} days after closing,"
        + f" audit entries {report.audit_days} days."
    )
    click.echo(f"Closed SIPs {'removed' if apply else 'to remove'}: {len(report.sips)}")
    for public_id in report.sips:
        click.echo(f"  {public_id}")
    click.echo(f"People with nothing left in Min SIP: {report.people}")
    click.echo(f"Audit entries past their period: {report.audit_entries}")
    click.echo("Rows by table:")
    for table, count in sorted(report.rows.items()):
        click.echo(f"  {table}: {count}")
    for column, count in sorted(report.cleared.items()):
        if count:
            click.echo(f"  {column} cleared: {count}")


# ---- intake configuration [issue 16] (services/intake_rules.py) ------------------------------------------


@click.group("intake")
def intake_group() -> None:
    """The county's intake: which unit receives requests, and which units are fast vårdkontakt."""


NEEDS = ("discharge", "child", "adult")


@intake_group.command("show")
@with_appcontext
def intake_show_command() -> None:
    """Print what is configured."""
    from citizen_app.services import intake_rules

    found = intake_rules.configuration()
    click.echo("Rules (need -> unit), tried in this order:")
    for rule in found.rules:
        click.echo(f"  {rule.need.value}: {rule.unit.name}")
    click.echo("Default unit per principal:")
    for default in found.defaults:
        click.echo(f"  {default.principal.name}: {default.unit.name}")
    click.echo("Fast vårdkontakt (may coordinate a discharge SIP):")
    for unit in found.fixed_care_contacts:
        click.echo(f"  {unit.name}")


def _run(change) -> None:
    from citizen_app.extensions import db
    from citizen_app.services import DomainError

    try:
        change()
    except DomainError as refused:
        db.session.rollback()
        raise click.ClickException(f"{refused.message} ({refused.__class__.__name__})") from None
    db.session.commit()
    click.echo("Saved.")


@intake_group.command("rule")
@click.argument("need", type=click.Choice(NEEDS))
@click.argument("unit")
@with_appcontext
def intake_rule_command(need: str, unit: str) -> None:
    """Requests with NEED (discharge, child, adult) go to the unit named UNIT."""
    from citizen_app.models import IntakeNeed
    from citizen_app.services import intake_rules

    _run(lambda: intake_rules.set_rule(IntakeNeed(need), unit))


@intake_group.command("remove-rule")
@click.argument("need", type=click.Choice(NEEDS))
@with_appcontext
def intake_remove_rule_command(need: str) -> None:
    """Remove the rule for NEED."""
    from citizen_app.models import IntakeNeed
    from citizen_app.services import intake_rules

    _run(lambda: intake_rules.remove_rule(IntakeNeed(need)))


@intake_group.command("default")
@click.argument("unit")
@with_appcontext
def intake_default_command(unit: str) -> None:
    """The unit named UNIT receives its principal's requests when no rule matches."""
    from citizen_app.services import intake_rules

    _run(lambda: intake_rules.set_default(unit))


@intake_group.command("fast-vardkontakt")
@click.argument("unit")
@click.option("--off", is_flag=True, help="The unit is no longer a fast vårdkontakt.")
@with_appcontext
def intake_fixed_care_contact_command(unit: str, off: bool) -> None:
    """Mark the unit named UNIT as fast vårdkontakt (region outpatient care): it coordinates at discharge."""
    from citizen_app.services import intake_rules

    _run(lambda: intake_rules.set_fixed_care_contact(unit, on=not off))


# ---- the county's organisation from a CSV file [issue 18] (services/organisation_import.py) ---------------


@click.command("import-organisation")
@click.argument("file", type=click.File("rb"))
@click.option("--apply", "apply_", is_flag=True, help="Make the changes (without it: only the report).")
@with_appcontext
def import_organisation_command(file, apply_: bool) -> None:
    """Import principals, units and staff from FILE, a CSV export (the format: README, "Organisation import").

    Without --apply it prints what would change and changes nothing. With --apply it makes every change in one
    transaction, or none when a line has an error. The exit code is 1 when the file has errors.
    """
    from citizen_app.extensions import db
    from citizen_app.services import organisation_import

    try:
        text = organisation_import.read_text(file.read())
    except organisation_import.InvalidFile as invalid:
        raise click.ClickException(invalid.message) from None
    if not apply_:
        report = organisation_import.check(text)
    else:
        try:
            report = organisation_import.apply(None, text, filename=file.name)
        except organisation_import.HasErrors as refused:
            db.session.rollback()
            report = refused.report
        else:
            db.session.commit()
    for line in _report_lines(report):
        click.echo(line)
    if report.has_errors:
        raise click.exceptions.Exit(1)


_OUTCOME_WORDS = {"created": "ny", "changed": "ändras", "unchanged": "oförändrad", "error": "FEL"}


def _report_lines(report) -> list[str]:
    """The report in Swedish, one line per line of the file, then what is not in the file and a summary."""
    from citizen_app.services import organisation_import as oi

    said = []
    for error in report.file_errors:
        said.append(f"FEL: {error}")
    for note in report.notes:
        said.append(f"Obs: {note}")
    for line in report.lines:
        what = " ".join(part for part in (line.kind, line.hsa_id, line.name) if part)
        if line.unit:
            what += f" i {line.unit}"
        word = _OUTCOME_WORDS[line.outcome.value]
        if report.applied and line.outcome == oi.Outcome.CREATED:
            word = "skapad"
        elif report.applied and line.outcome == oi.Outcome.CHANGED:
            word = "ändrad"
        said.append(f"rad {line.number}: {word}: {what}")
        for change in line.changes:
            said.append(f"    {change.label}: {change.old or '(tomt)'} -> {change.new}")
        for error in line.errors:
            said.append(f"    FEL: {error}")
    if report.not_in_file:
        said.append("Finns i Min SIP men inte i filen (ändras inte):")
        for absent in report.not_in_file:
            where = f" i {absent.unit}" if absent.unit else ""
            said.append(f"    {absent.kind} {absent.hsa_id or '(utan HSA-id)'} {absent.name}{where}")
    counts = (
        f"{report.count(oi.Outcome.CREATED)} nya, {report.count(oi.Outcome.CHANGED)} ändrade, "
        f"{report.count(oi.Outcome.UNCHANGED)} oförändrade"
    )
    if report.has_errors:
        said.append(f"{report.error_count} fel. Inget har ändrats. ({counts} om felen rättas.)")
    elif report.applied:
        said.append(f"Klart: {counts}.")
    else:
        said.append(f"Provkörning: {counts}. Inget har ändrats. Kör igen med --apply för att genomföra.")
    return said


# ---- the population register [issue 18] (services/population_register) -----------------------------------


@click.group("register")
def register_group() -> None:
    """Who is whose guardian with custody, from the population register."""


@register_group.command("refresh")
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False),
    help="Read this register extract (.csv or .json) instead of the configured source.",
)
@click.option(
    "--person",
    "numbers",
    multiple=True,
    help="Only this person (identity number), as at their sign-in. Can be given more than once.",
)
@click.option("--dry-run", is_flag=True, help="Show what would change, and change nothing.")
@with_appcontext
def register_refresh_command(path: str | None, numbers: tuple[str, ...], dry_run: bool) -> None:
    """Follow the register: guardians with custody of every child with an open SIP and, from a file, of every
    child in the extract (or only of the people named with --person). Prints what changed.

    Safe to run again: a second run changes nothing the register has not changed.
    """
    from citizen_app.extensions import db
    from citizen_app.services import identity, reminders
    from citizen_app.services.population_register import RegisterUnavailable, configured_source
    from citizen_app.services.population_register.file_source import FileSource
    from citizen_app.services.population_register.reconcile import refresh

    source = FileSource(path) if path else configured_source()
    if source is None:
        raise click.ClickException(
            "No population register is configured: set MINSIP_REGISTER_FILE or MINSIP_REGISTER_URL, "
            "or give --file."
        )
    try:
        report = refresh(source, reminders.today_in_sweden(), list(numbers) or None)
    except identity.InvalidIdentityNumber:
        db.session.rollback()
        raise click.ClickException("--person needs a valid identity number (YYYYMMDD-NNNN).") from None
    except RegisterUnavailable as away:
        db.session.rollback()
        raise click.ClickException(f"The register could not answer, nothing was changed: {away}") from None
    for change in report.changes:
        click.echo(change.describe())
    click.echo(
        f"Children asked about: {report.checked}. Not in the register: {report.unknown}. "
        f"People added to Min SIP: {report.people_created}. Custody changes: {len(report.changes)}."
    )
    if dry_run:
        db.session.rollback()
        click.echo("Dry run: nothing was changed.")
    else:
        db.session.commit()
