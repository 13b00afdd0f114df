"""``flask demo``: migrate a SQLite database, load the demo people and serve the app.

A module of its own because it builds an app: cli.py is imported by create_app, so a command there that
called create_app would be an import cycle. Registered as a Flask plugin command (pyproject entry point).
"""

from __future__ import annotations

import click

from citizen_app import cli, create_app, database


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="The interface to bind to.")
@click.option("--port", default=5000, show_default=True, type=int, help="The port to bind to.")
@click.option("--no-serve", is_flag=True, help="Only migrate and load the demo data.")
def demo_command(host: str, port: int, no_serve: bool) -> None:
    """Migrate a SQLite database in instance/, load the demo people and serve the app."""
    app = create_app("demo")
    with app.app_context():
        database.upgrade()
        cli.load_demo()
        click.echo(f"Databasen är klar: {app.config['SQLALCHEMY_DATABASE_URI']}")
    if no_serve:
        return
    click.echo(f"Min SIP (demo) på http://{host}:{port}/  — Ctrl+C avslutar.")
    # app.run() refuses to run inside the flask CLI, so serve with werkzeug directly. Werkzeug's own line per
    # request would repeat Min SIP's access line (logs.py) in another format: only its warnings are kept.
    import logging

    from werkzeug.serving import run_simple

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True)
