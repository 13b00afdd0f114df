"""The least a signed-in page can do: the bare Flask page plus round trips to the app's database.

``gunicorn benchmarks.hello_db:app`` with ``MINSIP_DATABASE_URL`` set. ``/`` sends one query, ``/8`` eight in
one transaction: every page that knows who is signed in must at least read its session (Min SIP reads the
session and the person in one query), and QUALITY.md allows a page up to 8 statements. Their req/s are
ceilings for such pages under the same settings, whatever the page's Python does: the throughput benchmark
prints their ratios to the bare hello page beside the pages' ratios [issue 17].
"""

import os

from flask import Flask
from sqlalchemy import create_engine, text

app = Flask(__name__)
# SQLAlchemy's default pool (5 connections per process). The app also pings a connection when it takes it
# from the pool (pool_pre_ping, one more round trip, so a database restart costs no request); not here:
# this page is the least work, not the app's.
engine = create_engine(os.environ["MINSIP_DATABASE_URL"])


@app.route("/")
@app.route("/<int:queries>")
def hello_with_queries(queries: int = 1) -> str:
    with engine.connect() as connection:  # BEGIN … ROLLBACK, as a Min SIP GET that wrote nothing
        total = sum(connection.execute(text("SELECT 1")).scalar_one() for _ in range(min(queries, 50)))
    return f"Hello, World! {total}"
