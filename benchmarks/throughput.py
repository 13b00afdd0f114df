"""Throughput and latency of Min SIP's heaviest pages against a bare Flask page [QUALITY 3] [issue 17].

    python -m benchmarks.throughput                # the full run: 3 rounds of 20 s per page, then latency
    python -m benchmarks.throughput --report-only  # print the figures, exit 0 even if a bar is missed

What it does:

1. Makes a PostgreSQL database of its own (``--database``, dropped and made again), migrates it with
   ``flask --app citizen_app upgrade-db`` and loads the large data (benchmarks/common.py): a child with two
   guardians after the meeting, a plan of 20 goals, 60 actions and 5 versions; a coordinator with about 40
   SIPs and a queue of 10 requests. Users are signed in with the app's own sign-in code (see common.py).
2. Starts Min SIP under gunicorn as the README's production section says (``MINSIP_ENV=production``,
   throw-away keys, gunicorn.conf.py with 2 workers) and a bare Flask "hello" page (benchmarks/hello.py)
   under the same gunicorn settings, each on its own port; and, as a ceiling for any signed-in page, the
   hello page with one query, and with eight (the statement bar), to the same database
   (benchmarks/hello_db.py).
3. Throughput, with wrk (same connections, threads and length for every run): each round measures hello,
   then every page, then hello again; a page's ratio is its req/s over the mean of the two hello runs of its
   round (hello with one and with eight queries are measured after the first hello run, their ratios
   printed for comparison: no page that reads its session can beat the first, nor one at the statement bar
   of 8 the second).
   Three rounds; the median ratio counts. Bar: ≥ 0.25 and no errors. Every request sends a browser's
   ``Accept-Encoding`` (``--no-compression`` drops it), so a compressing setup is measured compressing.
4. Latency, with an open-loop client (benchmarks/openloop.py) at a fixed rate of half the page's own
   measured maximum (its median req/s), latency from each request's scheduled send time. Bar: p95 ≤ 50 ms.

Prints a table with the machine's load average and core count. Exits 1 when a bar is missed, unless
``--report-only``.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import shutil
import statistics
import subprocess
import sys
import urllib.request
from dataclasses import dataclass

from benchmarks import common, openloop

PAGES = {  # name in the table -> key in common's urls
    "plan page (guardian)": "plan",
    "SIP page (guardian)": "sip",
    "overview / start page (guardian)": "start",
    "staff start page (workbench)": "staff_start",
    "staff queue (requests)": "staff_queue",
}
RATIO_BAR = 0.25
P95_BAR_MS = 50.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=20, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=10, help="wrk's timeout in seconds")
    parser.add_argument("--latency-duration", type=float, default=15.0, help="seconds per open-loop run")
    parser.add_argument("--latency-fraction", type=float, default=0.5, help="share of the measured maximum")
    parser.add_argument("--admin-url", default=common.DEFAULT_ADMIN_URL, help="PostgreSQL URL to create dbs")
    parser.add_argument("--database", default="minsip_bench_run", help="dropped and made again")
    parser.add_argument("--redis-url", default=None, help="REDIS_URL for the app (as in production)")
    parser.add_argument("--pages", nargs="*", choices=sorted(PAGES.values()), help="only these pages")
    parser.add_argument("--no-compression", action="store_true", help="send no Accept-Encoding")
    parser.add_argument("--report-only", action="store_true", help="exit 0 even when a bar is missed")
    return parser.parse_args(argv)


@dataclass
class WrkResult:
    requests_per_second: float
    errors: int  # non-2xx/3xx answers and connect, read and write errors
    timeouts: int = 0  # answers slower than wrk's --timeout (queueing at saturation), reported apart


def parse_wrk(output: str) -> WrkResult:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not rate:
        raise ValueError("no Requests/sec in wrk's output:\n" + output)
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    timeouts = 0
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket:
        errors += sum(int(n) for n in socket.groups()[:3])
        timeouts = int(socket.group(4))
    return WrkResult(float(rate.group(1)), errors, timeouts)


def wrk(url: str, args: argparse.Namespace, headers: dict[str, str]) -> WrkResult:
    command = ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{args.duration}s"]
    command += ["--timeout", f"{args.timeout}s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    drain(url)
    return parse_wrk(output)


def drain(url: str) -> None:
    """wrk stops with requests still waiting in gunicorn's listen queue; the server answers them (to closed
    sockets) before anything new. One request that waits its turn, before the next run starts, so no run
    pays for the one before it."""
    request = urllib.request.Request(url, headers={"User-Agent": common.USER_AGENT})  # noqa: S310
    with contextlib.suppress(OSError):
        urllib.request.urlopen(request, timeout=120).close()  # noqa: S310 (our own server)


def check_page(port: int, path: str, headers: dict[str, str]) -> None:
    """The page must answer 200 for the signed-in user before it is measured (not a redirect to sign-in)."""
    result = openloop.run("127.0.0.1", port, path, rate=1, duration=1, headers=headers)
    if result.errors:
        raise SystemExit(f"{path} does not answer 200 for the benchmark's signed-in user")


def headers_for(args: argparse.Namespace, cookie_name: str = "", cookie: str = "") -> dict[str, str]:
    """What every request sends: the User-Agent the session is bound to, the browser's Accept-Encoding
    (unless ``--no-compression``) and the signed-in user's cookie."""
    headers = {"User-Agent": common.USER_AGENT}
    if not args.no_compression:
        headers["Accept-Encoding"] = common.ACCEPT_ENCODING
    if cookie:
        headers["Cookie"] = f"{cookie_name}={cookie}"
    return headers


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    pages = {name: key for name, key in PAGES.items() if not args.pages or key in args.pages}
    print("Preparing the database and the large data …", flush=True)
    prepared = common.prepare(args.admin_url, args.database, args.redis_url)
    app_port, hello_port, floor_port = common.free_port(), common.free_port(), common.free_port()
    app = common.start_gunicorn("citizen_app:create_app()", prepared.env, app_port)
    hello = common.start_gunicorn("benchmarks.hello:app", prepared.env, hello_port)
    floor = common.start_gunicorn("benchmarks.hello_db:app", prepared.env, floor_port)
    try:
        signed_in = {
            key: headers_for(args, prepared.cookie_name, prepared.cookies[key]) for key in pages.values()
        }
        plain = headers_for(args)
        for key in pages.values():
            check_page(app_port, prepared.urls[key], signed_in[key])
        ratios: dict[str, list[float]] = {name: [] for name in pages}
        rates: dict[str, list[float]] = {name: [] for name in pages}
        errors: dict[str, int] = dict.fromkeys(pages, 0)
        timeouts: dict[str, int] = dict.fromkeys(pages, 0)
        hellos: list[float] = []
        floor_ratios: dict[int, list[float]] = {1: [], 8: []}
        for round_ in range(1, args.rounds + 1):
            before = wrk(f"http://127.0.0.1:{hello_port}/", args, plain).requests_per_second
            floor_rates = {
                n: wrk(f"http://127.0.0.1:{floor_port}/{n}", args, plain).requests_per_second
                for n in floor_ratios
            }
            measured = {}
            for name, key in pages.items():
                result = wrk(f"http://127.0.0.1:{app_port}{prepared.urls[key]}", args, signed_in[key])
                measured[name] = result.requests_per_second
                errors[name] += result.errors
                timeouts[name] += result.timeouts
            after = wrk(f"http://127.0.0.1:{hello_port}/", args, plain).requests_per_second
            hello_rate = (before + after) / 2
            hellos += [before, after]
            for n, rate in floor_rates.items():
                floor_ratios[n].append(rate / hello_rate)
            for name, rate in measured.items():
                rates[name].append(rate)
                ratios[name].append(rate / hello_rate)
            print(
                f"round {round_}: hello {before:.0f}/{after:.0f} req/s; "
                f"with 1/8 queries {floor_rates[1]:.0f}/{floor_rates[8]:.0f}; "
                + "; ".join(f"{pages[n]} {r:.0f}" for n, r in measured.items()),
                flush=True,
            )
        latencies = {}
        for name, key in pages.items():
            rate = args.latency_fraction * statistics.median(rates[name])
            latencies[name] = openloop.run(
                "127.0.0.1",
                app_port,
                prepared.urls[key],
                rate=max(rate, 1.0),
                duration=args.latency_duration,
                headers=signed_in[key],
            )
    finally:
        common.stop(app)
        common.stop(hello)
        common.stop(floor)

    missed = report(args, pages, ratios, rates, errors, timeouts, hellos, latencies, floor_ratios)
    return 1 if missed and not args.report_only else 0


def report(args, pages, ratios, rates, errors, timeouts, hellos, latencies, floor_ratios) -> list[str]:
    print()
    print(
        f"wrk: {args.rounds} rounds × {args.duration} s, {args.connections} connections, {args.threads} "
        f"threads; gunicorn.conf.py, {common.GUNICORN_WORKERS} workers; {common.machine_load()}"
    )
    each = ", ".join(f"{h:.0f}" for h in hellos)
    print(f"hello (bare Flask): median {statistics.median(hellos):.0f} req/s ({each})")
    for n, values in floor_ratios.items():
        print(
            f"hello with {n} database quer{'y' if n == 1 else 'ies'} (a ceiling for a page with {n}): "
            f"ratio/hello median {statistics.median(values):.3f} ({'/'.join(f'{r:.3f}' for r in values)})"
        )
    header = (
        f"{'page':36} {'req/s (median)':>14} {'ratio/hello':>12} {'rounds':>18} {'errors':>6} {'t/o':>5}"
        f" {'open-loop rate':>14} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'lag ms':>6}  bars"
    )
    print(header)
    print("-" * len(header))
    missed = []
    for name in pages:
        ratio = statistics.median(ratios[name])
        lat = latencies[name]
        p95 = lat.percentile(95) * 1000
        ok_ratio = ratio >= RATIO_BAR and errors[name] == 0
        ok_p95 = p95 <= P95_BAR_MS and lat.errors == 0
        if not ok_ratio:
            missed.append(f"{name}: ratio {ratio:.3f} < {RATIO_BAR} or errors {errors[name]}")
        if not ok_p95:
            missed.append(f"{name}: p95 {p95:.0f} ms > {P95_BAR_MS:.0f} ms or errors {lat.errors}")
        print(
            f"{name:36} {statistics.median(rates[name]):14.0f} {ratio:12.3f} "
            f"{'/'.join(f'{r:.3f}' for r in ratios[name]):>18} "
            f"{errors[name] + lat.errors:6d} {timeouts[name]:5d} "
            f"{lat.rate:12.1f}/s {lat.percentile(50) * 1000:7.1f} {p95:7.1f} "
            f"{lat.percentile(99) * 1000:7.1f} {lat.max_send_lag * 1000:6.1f}  "
            f"{'ok' if ok_ratio else 'MISSED'} ratio≥{RATIO_BAR}, "
            f"{'ok' if ok_p95 else 'MISSED'} p95≤{P95_BAR_MS:.0f}"
        )
    print(f"after the run: {common.machine_load()}")
    print(
        f"errors: non-2xx/3xx and socket errors (wrk and open loop); t/o: wrk answers slower than "
        f"{args.timeout} s, i.e. queueing at saturation, not counted as errors"
    )
    if missed:
        print("Bars missed:\n  " + "\n  ".join(missed))
    else:
        print("Every bar met.")
    return missed


if __name__ == "__main__":
    sys.exit(main())
