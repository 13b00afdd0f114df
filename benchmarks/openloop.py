"""A small open-loop HTTP load client (wrk2 is not packaged in Debian) [QUALITY 3].

Open loop: request ``i`` is due at ``start + i / rate`` and is sent then, whatever the earlier requests are
doing; its latency is measured from that *scheduled* time, not from when it actually went out. A client that
waits for answers before sending more (wrk, ab) sends less when the server slows down and so hides the slow
period ("coordinated omission"); this one does not. When the client itself falls behind, the lateness is in
the latency too (pessimistic, never flattering), and ``max_send_lag`` says how far behind it fell.

Each request uses a new connection and asks for ``Connection: close``, as gunicorn's sync workers answer
anyway. Only the Python standard library (asyncio).
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass, field


@dataclass
class Result:
    rate: float
    duration: float
    latencies: list[float] = field(default_factory=list)  # seconds, from each request's scheduled time
    errors: int = 0  # no answer, or a status other than 200
    max_send_lag: float = 0.0  # how late the client itself was in sending, seconds

    @property
    def sent(self) -> int:
        return len(self.latencies) + self.errors

    def percentile(self, p: float) -> float:
        return percentile(self.latencies, p)


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (p in 0–100): the smallest value with p % at or below it."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def schedule(rate: float, duration: float) -> list[float]:
    """When each request is due, in seconds from the start: evenly spaced at ``rate`` per second."""
    count = int(rate * duration)
    return [i / rate for i in range(count)]


def latency(scheduled_at: float, finished_at: float) -> float:
    """Latency counted from when the request was due (open loop), not from when it was sent."""
    return finished_at - scheduled_at


async def _one(host: str, port: int, raw: bytes, timeout: float) -> int:
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        writer.write(raw)
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), timeout)
        while await asyncio.wait_for(reader.read(65536), timeout):  # to the end of the answer
            pass
        return int(status_line.split()[1])
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass


def _request(host: str, port: int, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def run_async(
    host: str,
    port: int,
    path: str,
    rate: float,
    duration: float,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> Result:
    raw = _request(host, port, path, headers or {})
    result = Result(rate, duration)
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05

    async def send(due: float) -> None:
        lag = loop.time() - due
        result.max_send_lag = max(result.max_send_lag, lag)
        try:
            status = await _one(host, port, raw, timeout)
        except (OSError, TimeoutError, ValueError, IndexError, asyncio.IncompleteReadError):
            result.errors += 1
            return
        if status != 200:
            result.errors += 1
            return
        result.latencies.append(latency(due, loop.time()))

    tasks = []
    for offset in schedule(rate, duration):
        due = start + offset
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(due)))
    await asyncio.gather(*tasks)
    return result


def run(host: str, port: int, path: str, rate: float, duration: float, headers=None, timeout=10.0) -> Result:
    return asyncio.run(run_async(host, port, path, rate, duration, headers, timeout))
