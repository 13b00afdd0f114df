"""The bare Flask page the benchmark compares Min SIP's pages with: ``gunicorn benchmarks.hello:app``."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    return "Hello, World!"
