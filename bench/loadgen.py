"""A small load generator: N clients, each one keep-alive connection sending signed commands.

Clients are threads on raw sockets with hand-written HTTP/1.1 (a few tens of microseconds of
Python per request, so the generator takes little of the CPU it shares with the server).
A request counts when it starts after the warm-up and ends before the stop time. Every write
answered, in the window or not, is kept for the bench to look for in the database afterwards.
"""

from __future__ import annotations

import socket
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from testkit.slack_requests import sign

# Replies that report a failure: a domain error (":warning: ..." as the whole reply's start),
# an unexpected error, a repeated delivery or an outage. The mix should cause none.
FAILED_REPLY = (b'": ":warning:', b"Something went wrong", b"already handled", b"unavailable")


class Request(NamedTuple):
    kind: str
    body: str
    # What the request leaves in the database once answered without a failure, for
    # `bench.commands` to check (None: it only reads).
    write: tuple | None = None


@dataclass
class LevelResult:
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    errors: int = 0  # no answer, or not HTTP 200
    failed: int = 0  # 200, but the reply reports a failure (the mix should never cause one)
    failures: list[str] = field(default_factory=list)  # the first few, to say what failed
    # Over the whole level, warm-up included: the writes answered without a failure, and
    # how many writes got no answer (their outcome unknown).
    writes: list[tuple] = field(default_factory=list)
    unanswered_writes: int = 0
    # Set by the bench after the level: what the database lacks or holds twice of `writes`
    # (None: not checked, as for bare Bolt, which writes nothing).
    wrong_writes: list[str] | None = None

    def writes_said(self) -> str:
        """The write check in a few words: how many writes were there once each, or what
        was wrong; "—" when not checked."""
        if self.wrong_writes is None:
            return "—"
        if self.wrong_writes:
            return f"**{len(self.wrong_writes)} wrong**: {'; '.join(self.wrong_writes[:2])}"
        unknown = f" ({self.unanswered_writes} unanswered)" if self.unanswered_writes else ""
        return f"{len(self.writes):,} once each{unknown}"

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, share: float, kind: str | None = None) -> float | None:
        values = [v for v, k in zip(self.latencies, self.kinds, strict=True) if kind in (None, k)]
        if not values:
            return None
        if len(values) == 1:
            return values[0]
        return statistics.quantiles(values, n=1000, method="inclusive")[int(share * 1000) - 1]


class Connection:
    """One keep-alive HTTP/1.1 connection; reconnects after the server closes it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.sock: socket.socket | None = None
        self.buffer = b""

    def exchange(self, request: bytes) -> tuple[int, bytes]:
        if self.sock is None:
            self.sock = socket.create_connection((self.host, self.port), timeout=30)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.buffer = b""
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.buffer:
            self._read()
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        status = int(head[9:12])
        headers = head.lower()
        if b"transfer-encoding: chunked" in headers:
            body, rest = self._chunked(rest)
        else:
            marker = headers.find(b"content-length:")
            length = int(headers[marker + 15 :].split(b"\r\n", 1)[0]) if marker >= 0 else 0
            while len(rest) < length:
                rest += self._read_more()
            body, rest = rest[:length], rest[length:]
        self.buffer = rest
        if b"connection: close" in headers:
            self.close()
        return status, body

    def _read(self) -> None:
        self.buffer += self._read_more()

    def _read_more(self) -> bytes:
        chunk = self.sock.recv(262144)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        return chunk

    def _chunked(self, rest: bytes) -> tuple[bytes, bytes]:
        body = b""
        while True:
            while b"\r\n" not in rest:
                rest += self._read_more()
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            while len(rest) < size + 2:
                rest += self._read_more()
            if size == 0:
                return body, rest[2:]
            body, rest = body + rest[:size], rest[size + 2 :]

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = None


def request_bytes(host: str, port: int, secret: str, body: str) -> bytes:
    headers = sign(body, secret, content_type="application/x-www-form-urlencoded")
    data = body.encode()
    lines = ["POST /slack/events HTTP/1.1", f"Host: {host}:{port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {len(data)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


def run_level(
    host: str,
    port: int,
    secret: str,
    clients: list[Callable[[], Request]],
    warmup: float,
    duration: float,
) -> LevelResult:
    """Each item of `clients` makes its client's next request."""
    result = LevelResult(len(clients), duration)
    lock = threading.Lock()
    begin = time.perf_counter() + 0.05
    counting, stop = begin + warmup, begin + warmup + duration

    def client(next_request: Callable[[], Request]) -> None:
        connection = Connection(host, port)
        mine: list[tuple[float, str]] = []
        samples: list[str] = []
        writes: list[tuple] = []
        errors = failed = unanswered = 0
        while time.perf_counter() < begin:
            time.sleep(0.001)
        while time.perf_counter() < stop:
            kind, body, write = next_request()
            request = request_bytes(host, port, secret, body)
            started = time.perf_counter()
            try:
                status, reply = connection.exchange(request)
            except OSError:
                connection.close()
                errors += started >= counting
                unanswered += write is not None
                continue
            ended = time.perf_counter()
            failure = status == 200 and any(marker in reply[:300] for marker in FAILED_REPLY)
            if write is not None:
                if status != 200:
                    unanswered += 1
                elif not failure:
                    writes.append(write)
            if started >= counting and ended <= stop:
                if status != 200:
                    errors += 1
                else:
                    if failure:
                        failed += 1
                        if len(samples) < 3:
                            samples.append(f"{kind}: {reply[:200].decode(errors='replace')}")
                    mine.append((ended - started, kind))
        connection.close()
        with lock:
            for latency, kind in mine:
                result.latencies.append(latency)
                result.kinds.append(kind)
            result.errors += errors
            result.failed += failed
            result.failures += samples[: 5 - len(result.failures)]
            result.writes += writes
            result.unanswered_writes += unanswered

    threads = [threading.Thread(target=client, args=(c,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return result
