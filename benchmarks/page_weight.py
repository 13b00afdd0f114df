"""What a page costs a phone: bytes on the wire, first and repeat visit, Lighthouse [QUALITY 3] [issue 17].

    python -m benchmarks.page_weight                # bytes per page, then Lighthouse on two pages
    python -m benchmarks.page_weight --report-only  # print the figures, exit 0 even if a bar is missed
    python -m benchmarks.page_weight --no-lighthouse

Min SIP runs under gunicorn as in production, on the large data, with users signed in as
benchmarks/common.py explains. Needs Debian's Chromium (``apt-get install -y chromium``), Python Playwright
(in the test extras; never ``playwright install``) and, for Lighthouse, Node with the npm package
``lighthouse`` 12 installed outside the repository (``npm install --prefix /work/tools/lighthouse
lighthouse@12``; give its path with ``--lighthouse`` or the LIGHTHOUSE variable).

Bytes: each page is visited in a fresh browser context (empty cache), and again in the same context once the
service worker is active. The transferred bytes are the DevTools protocol's ``Network.loadingFinished``
``encodedDataLength`` (headers and compressed body) of every request of the page, plus the requests the
service worker itself makes (Playwright's request sizes, which come from the same protocol). Icons are not
counted (QUALITY.md 3). The browser's own update check of ``sw.js`` (after ``register()``) belongs to no
page or worker target, so the server's access log is read as well: every request that reached gunicorn during
a visit is listed and counts against the repeat-visit bar, and a path counts with its logged body bytes when
the browser reported less (the fetch of ``sw.js``). Bars: first visit ≤ 40 KB; on the repeat visit
nothing but the page's HTML reaches the network.

Lighthouse: mobile preset (its default: a mid-range phone on slow 4G, simulated), performance only, on the
start page and the plan page, five runs each (``--lighthouse-runs``). One run varies by several points on the
same page and code (measured here: LCP 0.87 s and 1.03 s for the start page, one minute apart, on an idle
machine), so, as Lighthouse's documentation on variability advises, the bars are judged on the median run:
the run whose FCP and time to interactive are nearest the medians of all runs (Lighthouse's own rule for
its median run). Bars: that run's score 100 and LCP ≤ 1.0 s. Every run's figures are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

from benchmarks import common

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = {
    "start page (guardian)": "start",
    "SIP page (guardian)": "sip",
    "plan page (guardian)": "plan",
    "consent page (guardian)": "consent",
    "staff start page": "staff_start",
}
LIGHTHOUSE_PAGES = {"start page (guardian)": "start", "plan page (guardian)": "plan"}
FIRST_VISIT_BAR = 40 * 1024
LIGHTHOUSE_SCORE_BAR = 100
LCP_BAR_MS = 1000.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--admin-url", default=common.DEFAULT_ADMIN_URL, help="PostgreSQL URL to create dbs")
    parser.add_argument("--database", default="minsip_bench_weight", help="dropped and made again")
    parser.add_argument("--redis-url", default=None, help="REDIS_URL for the app (as in production)")
    parser.add_argument("--lighthouse", default=os.environ.get("LIGHTHOUSE") or shutil.which("lighthouse"))
    parser.add_argument("--no-lighthouse", action="store_true")
    parser.add_argument("--lighthouse-runs", type=int, default=5, help="runs per page; the median run counts")
    parser.add_argument("--settle-ms", type=int, default=5000, help="wait after each visit's network is idle")
    parser.add_argument("--report-only", action="store_true", help="exit 0 even when a bar is missed")
    return parser.parse_args(argv)


def is_icon(url: str) -> bool:
    path = url.split("?", 1)[0]
    return "/icons/" in path or path.rsplit("/", 1)[-1].startswith(("favicon", "icon-", "apple-touch"))


@dataclass
class Visit:
    transfers: dict[str, int] = field(default_factory=dict)  # url -> bytes on the wire (summed per url)
    document: str = ""
    served: list[str] = field(default_factory=list)  # what gunicorn's access log shows: "path status bytes"

    def add(self, url: str, size: int) -> None:
        if size > 0 and not is_icon(url):
            self.transfers[url] = self.transfers.get(url, 0) + size

    @property
    def total(self) -> int:
        """Per path, what the browser reported, or the body bytes the server logged when that is more: the
        browser's own fetch of ``sw.js`` (registration, update check) is in no page or worker target."""
        seen: dict[str, int] = {}
        for url, size in self.transfers.items():
            seen[_path(url)] = seen.get(_path(url), 0) + size
        logged: dict[str, int] = {}
        for line in self.served:
            path, _, rest = line.partition(" ")
            body = rest.rpartition(" ")[2]
            if not is_icon(path) and body.isdigit():
                logged[path] = logged.get(path, 0) + int(body)
        return sum(max(seen.get(path, 0), logged.get(path, 0)) for path in seen.keys() | logged.keys())

    @property
    def html(self) -> int:
        return sum(self.transfers.get(url, 0) for url in (self.document, "sw:" + self.document))

    @property
    def besides_html(self) -> dict[str, int]:
        """What was transferred other than the page itself (which the service worker may fetch for it)."""
        html = (self.document, "sw:" + self.document)
        return {url: size for url, size in self.transfers.items() if url not in html}

    @property
    def served_besides_html(self) -> list[str]:
        page = _path(self.document)
        return [line for line in self.served if line.split(" ", 1)[0] not in (page, "") and not is_icon(line)]


def _path(url: str) -> str:
    """``sw:http://host:port/a/b?c`` -> ``/a/b``."""
    return "/" + url.removeprefix("sw:").split("//", 1)[-1].split("/", 1)[-1].split("?", 1)[0]


def _visit(context, page, url: str, access_log: str, settle_ms: int) -> Visit:
    """Load ``url`` in ``page`` and count every byte it and the service worker fetch. ``settle_ms`` after the
    network is idle: Chromium checks the service worker for an update a little after a navigation."""
    visit = Visit(document=url)
    log_start = os.path.getsize(access_log)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    urls: dict[str, str] = {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on(
        "Network.loadingFinished",
        lambda e: visit.add(urls.get(e["requestId"], "?"), int(e.get("encodedDataLength", 0))),
    )

    def from_worker(request) -> None:
        if request.service_worker is None:
            return
        sizes = request.sizes()
        visit.add("sw:" + request.url, sizes["responseBodySize"] + sizes["responseHeadersSize"])

    context.on("requestfinished", from_worker)
    response = page.goto(url, wait_until="load")
    if response is None or response.status != 200:
        raise SystemExit(f"{url} answered {response.status if response else 'nothing'}, not 200")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(settle_ms)  # also lets gunicorn write the log line of the last request
    context.remove_listener("requestfinished", from_worker)
    cdp.detach()
    with open(access_log, "rb") as log:
        log.seek(log_start)
        visit.served = [line.strip() for line in log.read().decode().splitlines() if line.strip()]
    return visit


def measure_bytes(
    base: str, prepared: common.Prepared, access_log: str, settle_ms: int = 5000
) -> dict[str, tuple[Visit, Visit]]:
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name, key in PAGES.items():
                context = browser.new_context(user_agent=common.USER_AGENT)
                context.add_cookies([_cookie(base, prepared.cookie_name, prepared.cookies[key])])
                page = context.new_page()
                url = base + prepared.urls[key]
                first = _visit(context, page, url, access_log, settle_ms)
                # The service worker is installed and active before the repeat visit.
                page.evaluate(_SERVICE_WORKER_READY)
                page.wait_for_timeout(500)
                repeat = _visit(context, page, url, access_log, settle_ms)
                results[name] = (first, repeat)
                context.close()
        finally:
            browser.close()
    return results


_SERVICE_WORKER_READY = "() => navigator.serviceWorker ? navigator.serviceWorker.ready.then(() => 1) : 0"


def _cookie(base: str, name: str, value: str) -> dict:
    return {"name": name, "value": value, "url": base, "httpOnly": True, "sameSite": "Lax"}


@dataclass
class LighthouseResult:
    score: float
    lcp_ms: float
    report: str
    fcp_ms: float = 0.0
    tbt_ms: float = 0.0
    interactive_ms: float = 0.0
    runs: list[LighthouseResult] = field(default_factory=list)  # for the median run: every run


def median_run(runs: list[LighthouseResult]) -> LighthouseResult:
    """The run nearest the medians of FCP and time to interactive, each distance relative to its median."""
    fcp = statistics.median(run.fcp_ms for run in runs)
    tti = statistics.median(run.interactive_ms for run in runs)

    def distance(run: LighthouseResult) -> float:
        return ((run.fcp_ms - fcp) / fcp) ** 2 + ((run.interactive_ms - tti) / tti) ** 2

    chosen = min(runs, key=distance)
    return LighthouseResult(
        chosen.score, chosen.lcp_ms, chosen.report, chosen.fcp_ms, chosen.tbt_ms, chosen.interactive_ms, runs
    )


def lighthouse(binary: str, url: str, cookie: str) -> LighthouseResult:  # cookie: "name=value"
    """Lighthouse's mobile preset on ``url``, performance only, the session cookie sent with every request.
    The emulated User-Agent is the benchmark's, which the session is bound to."""
    out = tempfile.NamedTemporaryFile(suffix=".json", delete=False).name  # noqa: SIM115
    env = dict(os.environ, CHROME_PATH=CHROMIUM)
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    command = [
        binary,
        url,
        "--quiet",
        "--only-categories=performance",
        "--output=json",
        f"--output-path={out}",
        f"--chrome-flags={flags}",
        f"--extra-headers={json.dumps({'Cookie': cookie})}",
        f"--emulatedUserAgent={common.USER_AGENT}",
    ]
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=300)  # noqa: S603
    with open(out, encoding="utf-8") as file:
        data = json.load(file)
    shown = data.get("finalDisplayedUrl") or data.get("finalUrl")
    if shown != url:  # e.g. sent to sign in: the session did not hold
        raise SystemExit(f"Lighthouse measured {shown}, not {url}")
    score = (data["categories"]["performance"]["score"] or 0) * 100  # null when Lighthouse failed
    audits = data["audits"]
    return LighthouseResult(
        score,
        audits["largest-contentful-paint"]["numericValue"],
        out,
        audits["first-contentful-paint"]["numericValue"],
        audits["total-blocking-time"]["numericValue"],
        audits["interactive"]["numericValue"],
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not os.path.exists(CHROMIUM):
        raise SystemExit("Chromium is missing: apt-get install -y chromium")
    print("Preparing the database and the large data …", flush=True)
    prepared = common.prepare(args.admin_url, args.database, args.redis_url)
    port = common.free_port()
    base = f"http://localhost:{port}"  # localhost: Chromium keeps the Secure cookie over plain HTTP
    access_log = tempfile.NamedTemporaryFile(suffix=".log", delete=False).name  # noqa: SIM115
    server = common.start_gunicorn("citizen_app:create_app()", prepared.env, port, access_log=access_log)
    lighthouse_results: dict[str, LighthouseResult] = {}
    try:
        weights = measure_bytes(base, prepared, access_log, args.settle_ms)
        if not args.no_lighthouse:
            if not args.lighthouse:
                raise SystemExit("Lighthouse is missing: see the module's doc, or pass --no-lighthouse")
            for name, key in LIGHTHOUSE_PAGES.items():
                url = base + prepared.urls[key]
                cookie = f"{prepared.cookie_name}={prepared.cookies[key]}"
                runs = [lighthouse(args.lighthouse, url, cookie) for _ in range(max(1, args.lighthouse_runs))]
                lighthouse_results[name] = median_run(runs)
    finally:
        common.stop(server)
    missed = report(weights, lighthouse_results)
    return 1 if missed and not args.report_only else 0


def report(weights: dict[str, tuple[Visit, Visit]], lighthouse_results: dict[str, LighthouseResult]) -> list:
    missed = []
    print(f"\nBytes transferred (headers + compressed body, icons not counted); {common.machine_load()}")
    header = f"{'page':26} {'first visit':>12} {'requests':>8} {'repeat visit':>13} {'not HTML':>10}  bars"
    print(header)
    print("-" * len(header))
    for name, (first, repeat) in weights.items():
        extra = repeat.besides_html
        ok_first = first.total <= FIRST_VISIT_BAR
        ok_repeat = not extra and not repeat.served_besides_html
        if not ok_first:
            missed.append(f"{name}: first visit {first.total / 1024:.1f} KB > 40 KB")
        if not ok_repeat:
            fetched = sorted(extra) + [f"server: {line}" for line in repeat.served_besides_html]
            missed.append(f"{name}: repeat visit fetches {', '.join(fetched)}")
        print(
            f"{name:26} {first.total / 1024:9.1f} KB {len(first.transfers):8d} "
            f"{repeat.total / 1024:10.1f} KB {(repeat.total - repeat.html) / 1024:7.1f} KB  "
            f"{'ok' if ok_first else 'MISSED'} ≤40 KB, "
            f"{'ok' if ok_repeat else 'MISSED'} HTML only"
        )
    for name, (first, repeat) in weights.items():
        parts = ", ".join(f"{_short(u)} {s / 1024:.1f}" for u, s in first.transfers.items())
        print(f"  {name}, first visit (KB): {parts}")
        print(f"  {name}, repeat visit, the server saw (path status body-bytes): {'; '.join(repeat.served)}")
    if lighthouse_results:
        print("\nLighthouse (mobile preset, performance; the median run of each page counts)")
        for name, result in lighthouse_results.items():
            for number, run in enumerate(result.runs, start=1):
                print(
                    f"  {name:26} run {number}: score {run.score:3.0f}  FCP {run.fcp_ms / 1000:4.2f} s  "
                    f"LCP {run.lcp_ms / 1000:4.2f} s  TBT {run.tbt_ms:4.0f} ms  "
                    f"TTI {run.interactive_ms / 1000:4.2f} s"
                )
            ok = result.score >= LIGHTHOUSE_SCORE_BAR and result.lcp_ms <= LCP_BAR_MS
            if not ok:
                missed.append(f"{name}: Lighthouse {result.score:.0f}, LCP {result.lcp_ms / 1000:.2f} s")
            print(
                f"  {name:26} median run: score {result.score:3.0f}  LCP {result.lcp_ms / 1000:5.2f} s  "
                f"{'ok' if ok else 'MISSED'} (100, ≤ 1.0 s)  report {result.report}"
            )
    print(f"after the run: {common.machine_load()}")
    print("Bars missed:\n  " + "\n  ".join(missed) if missed else "Every bar met.")
    return missed


def _short(url: str) -> str:
    worker = "(sw) " if url.startswith("sw:") else ""
    return worker + "/" + url.split("//", 1)[-1].split("/", 1)[-1][:40]


if __name__ == "__main__":
    sys.exit(main())
