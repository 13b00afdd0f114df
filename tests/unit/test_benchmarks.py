"""The benchmarks in benchmarks/ [QUALITY 3] [issue 17]: they import, read their arguments, parse wrk, and the
open-loop client counts latency from each request's scheduled time. Not the figures: timing bars live in the
benchmark scripts, never in a timed test."""

from __future__ import annotations

import concurrent.futures
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from benchmarks import common, openloop, page_weight, throughput

WRK_OUTPUT = """Running 20s test @ http://127.0.0.1:8000/
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    10.61ms    2.32ms  38.02ms   82.50%
  93860 requests in 20.00s, 14.59MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   4692.77
Transfer/sec:    746.98KB
"""


def test_the_throughput_benchmark_reads_its_arguments():
    args = throughput.parse_args(["--rounds", "1", "--duration", "5", "--pages", "plan", "--report-only"])
    assert (args.rounds, args.duration, args.pages, args.report_only) == (1, 5, ["plan"], True)
    defaults = throughput.parse_args([])
    assert (defaults.rounds, defaults.duration, defaults.connections) == (3, 20, 50)
    assert defaults.latency_fraction == 0.5 and not defaults.report_only
    with pytest.raises(SystemExit):
        throughput.parse_args(["--pages", "no-such-page"])


def test_every_request_sends_the_bound_user_agent_the_cookie_and_a_browsers_accept_encoding():
    headers = throughput.headers_for(throughput.parse_args([]), "minsip_session", "abc")
    assert headers == {
        "User-Agent": common.USER_AGENT,
        "Accept-Encoding": "gzip, deflate, br",
        "Cookie": "minsip_session=abc",
    }
    assert throughput.headers_for(throughput.parse_args(["--no-compression"])) == {
        "User-Agent": common.USER_AGENT
    }


def test_the_page_weight_benchmark_reads_its_arguments():
    args = page_weight.parse_args(["--no-lighthouse", "--report-only"])
    assert args.no_lighthouse and args.report_only
    assert set(page_weight.LIGHTHOUSE_PAGES.values()) <= set(page_weight.PAGES.values())


def test_wrk_output_gives_requests_per_second_and_every_error():
    result = throughput.parse_wrk(WRK_OUTPUT)
    assert result.requests_per_second == pytest.approx(4692.77)
    assert result.errors == 2 + 4 and result.timeouts == 1
    assert throughput.parse_wrk("Requests/sec: 10.5\n").errors == 0
    with pytest.raises(ValueError):
        throughput.parse_wrk("wrk: connection refused")


def test_a_repeat_visit_counts_the_html_fetched_through_the_service_worker_as_the_page():
    visit = page_weight.Visit(document="http://localhost:1/sip/x")
    visit.add("sw:http://localhost:1/sip/x", 5000)
    visit.add("http://localhost:1/static/icons/icon-192.png", 900)  # icons are not counted
    visit.add("http://localhost:1/static/css/app.css", 0)  # from the cache: nothing on the wire
    assert visit.total == 5000 and visit.besides_html == {}
    visit.served = ["/sip/x 200 4800", "/sw.js 200 700", "/static/icons/icon-192.png 200 800"]
    assert visit.served_besides_html == ["/sw.js 200 700"]
    # The browser's own fetch of sw.js is only in the server's log: its body counts.
    assert visit.total == 5000 + 700 and visit.html == 5000


def test_percentiles_are_nearest_rank():
    values = [i / 1000 for i in range(1, 101)]  # 1 … 100 ms
    assert openloop.percentile(values, 95) == pytest.approx(0.095)
    assert openloop.percentile(values, 50) == pytest.approx(0.050)
    assert openloop.percentile([0.2], 99) == 0.2


def test_the_schedule_is_evenly_spaced_and_latency_starts_at_the_scheduled_time():
    assert openloop.schedule(4, 1) == [0, 0.25, 0.5, 0.75]
    # A request due at 1.0 s that could only be sent at 1.3 s and was answered at 1.35 s waited 0.35 s.
    assert openloop.latency(scheduled_at=1.0, finished_at=1.35) == pytest.approx(0.35)


class _Slow(BaseHTTPRequestHandler):
    """Answers one request at a time (like a single sync worker), each after 50 ms."""

    def do_GET(self):
        with _Slow.lock:
            time.sleep(0.05)
            body = b"ok"
            self.send_response(200 if self.path == "/" else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, *args):
        pass


_Slow.lock = threading.Lock()


@pytest.fixture
def slow_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _in_own_thread(function, *args, **kwargs):
    """openloop.run calls asyncio.run, which refuses to start inside a running event loop: a browser test
    module run earlier in the same xdist worker leaves Playwright's loop on this thread. A thread of its own
    has none, as the benchmark's own process has none."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def test_the_open_loop_client_keeps_sending_while_the_server_queues(slow_server):
    """40 req/s for 1 s at a server that manages 20 req/s: the client still sends all 40 on time, and the
    queue shows in the latency (a closed-loop client would have sent fewer and seen ~50 ms each)."""
    result = _in_own_thread(openloop.run, "127.0.0.1", slow_server, "/", rate=40, duration=1.0)
    assert result.sent == 40 and result.errors == 0
    assert result.max_send_lag < 0.2
    assert result.percentile(50) >= 0.05
    assert result.percentile(95) > 0.4  # the last requests waited behind ~20 others
    assert max(result.latencies) < 2.5


def test_the_open_loop_client_counts_other_answers_as_errors(slow_server):
    result = _in_own_thread(openloop.run, "127.0.0.1", slow_server, "/missing", rate=5, duration=0.4)
    assert result.sent == 2 and result.errors == 2 and not result.latencies


def test_the_machine_load_names_the_cores():
    assert "cores" in common.machine_load()
    keys = common.throw_away_keys()
    assert len(set(keys.values())) == 3


def test_lighthouse_is_judged_on_its_median_run():
    """Lighthouse's own rule: the run nearest the medians of FCP and time to interactive, not the best run."""

    def run(score, fcp, lcp, tti):
        return page_weight.LighthouseResult(score, lcp, f"r{score}", fcp, 0.0, tti)

    runs = [
        run(100, 700, 900, 1500),
        run(97, 900, 1200, 2400),
        run(99, 760, 1000, 1700),
        run(100, 690, 850, 1450),
    ]
    runs.append(run(92, 1100, 1500, 3000))
    chosen = page_weight.median_run(runs)
    assert (chosen.score, chosen.lcp_ms) == (99, 1000)
    assert chosen.runs == runs
