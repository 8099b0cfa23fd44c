"""The load of the chat-path benchmark: concurrent citizens posting questions over HTTP/1.1.

Each client keeps one keep-alive connection and plays one citizen after another, each with a
session cookie of its own asking `session_length` questions. Together the clients send exactly
`count` messages, each with a unique message id, and record what every request saw.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass

from api.bench_chat_report import Measured, Sample

CHAT_PATH = "/api/chat/messages"
REQUEST_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class LoadPlan:
    questions: list[str]
    count: int
    clients: int
    session_length: int
    tag: str  # makes message ids unique across the phases of a run
    timeout_s: float


async def drive(base: str, plan: LoadPlan) -> Measured:
    numbers = itertools.count()  # shared: the clients together send exactly plan.count
    samples: list[Sample] = []
    clients = [_client(base, plan, numbers, samples) for _ in range(plan.clients)]
    cpu, started = time.process_time(), time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*clients), plan.timeout_s)
    seconds = time.perf_counter() - started
    return Measured(samples, seconds, (time.process_time() - cpu) / seconds)


async def _client(base: str, plan: LoadPlan, numbers: Iterator[int], samples: list[Sample]) -> None:
    """One citizen after another on one connection: each asks `session_length` questions."""
    connection = _Connection(base)
    session, asked = _new_session(), 0
    try:
        while (number := next(numbers)) < plan.count:
            if asked == plan.session_length:
                session, asked = _new_session(), 0
            body = {
                "message_id": f"{plan.tag}-{number}",
                "text": plan.questions[number % len(plan.questions)],
                "payload": "",
            }
            samples.append(await _post(connection, session, body))
            asked += 1
    finally:
        connection.close()


def _new_session() -> str:
    return secrets.token_urlsafe(18)  # the form the service issues itself


async def _post(connection: _Connection, session: str, body: dict[str, str]) -> Sample:
    payload = json.dumps(body, ensure_ascii=False).encode()
    started = time.perf_counter()
    try:
        async with asyncio.timeout(REQUEST_TIMEOUT_S):
            status, data = await connection.post(CHAT_PATH, payload, f"pa_chat={session}")
    except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
        connection.close()  # the next request opens a fresh connection
        return Sample(time.perf_counter() - started, 0)
    elapsed = time.perf_counter() - started
    if status != 200:
        return Sample(elapsed, status)
    try:
        action = str(json.loads(data).get("action", ""))
    except ValueError:
        action = ""
    return Sample(elapsed, 200, action)


class _Connection:
    """A minimal HTTP/1.1 keep-alive client for the load: JSON POSTs, Content-Length replies.

    httpx costs about 1 ms of CPU per request here: half a core at 500 requests/s, taken from
    the same two cores the service runs on. This costs a tenth of that, so the figures measure
    the service rather than the load generator.
    """

    def __init__(self, base: str) -> None:
        host, _, port = base.removeprefix("http://").partition(":")
        self._host, self._port = host, int(port)
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, path: str, body: bytes, cookie: str) -> tuple[int, bytes]:
        if self._streams is None:
            self._streams = await asyncio.open_connection(self._host, self._port)
        reader, writer = self._streams
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self._host}:{self._port}\r\n"
            f"Content-Type: application/json\r\nCookie: {cookie}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        writer.write(head.encode() + body)
        status, headers = _parse_head(await reader.readuntil(b"\r\n\r\n"))
        if "content-length" not in headers:
            raise ValueError("a reply without Content-Length")
        data = await reader.readexactly(int(headers["content-length"]))
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, data

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


def _parse_head(raw: bytes) -> tuple[int, dict[str, str]]:
    status_line, *lines = raw.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return int(status_line.split(" ", 2)[1]), headers
