"""PostgreSQL stops in the middle of a session and comes back: commands and buttons say
"temporarily unavailable" within Slack's 3 seconds, /healthz says 503, nothing is half
written, and the same process serves again once the database is back, without a restart.

The shared server can't be stopped, so the bot reaches it through a TCP relay on loopback
that the test cuts (closing the listener and every open connection) and restores."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from assistant.services.context import Services
from assistant.storage.database import PING_AFTER_IDLE_S, Database
from tests.conftest import ManualClock, _truncate_all
from tests.e2e.conftest import Bot
from tests.trust.figures import Tally

UNAVAILABLE = "temporarily unavailable"


class Relay:
    """A loopback TCP relay to the database that can be cut and restored on the same port."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self._stop = threading.Event()
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()

    def open(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(32)
        listener.settimeout(0.05)
        self._listener, self._stop = listener, threading.Event()
        threading.Thread(target=self._accept, args=(listener, self._stop), daemon=True).start()

    def _accept(self, listener: socket.socket, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Like a stopped server: new connections are refused, open ones are reset."""
        self._stop.set()
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            for s in self._sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self._sockets.clear()


@pytest.fixture
def relay(postgres_url):
    url = make_url(postgres_url)
    relay = Relay(url.host or "127.0.0.1", url.port or 5432)
    relay.open()
    yield relay
    relay.cut()


def _timed(call):
    start = time.monotonic()
    result = call()
    return result, time.monotonic() - start


@pytest.fixture
def relayed_bot(postgres_url, relay, fake):
    """The bot on an empty database, reached through the relay."""
    _truncate_all(postgres_url)
    proxied = make_url(postgres_url).set(port=relay.port).render_as_string(hide_password=False)
    services = Services(db=Database(proxied), clock=ManualClock(), admins=frozenset({"UADMIN"}))
    bot = Bot(services, fake)
    yield bot
    bot.close()
    services.db.dispose()


def test_postgres_outage_is_answered_and_recovered_without_restart(relayed_bot, relay, fake):
    tally = Tally("postgresql")
    bot = relayed_bot
    assert "#1" in bot.command("/deal", "new Acme 12k").text
    assert bot.http.get("/healthz")[0] == 200

    relay.cut()
    tally("faults", "database outage")
    timings = []
    for cmd, words in (("/deal", "new Globex 8k"), ("/deal", "move 1 next"),
                      ("/deal", "list"), ("/pipeline", ""), ("/lead", "new Rita")):  # fmt: skip
        result, seconds = _timed(lambda: bot.command(cmd, words))  # noqa: B023
        timings.append(seconds)
        assert result.status == 200 and result.ephemeral, result.raw
        assert UNAVAILABLE in result.text, (cmd, words, result.text)
        assert seconds < 3, (cmd, words, seconds)
        tally("outage", "commands answered")
    status, _, _ = bot.http.action("deal_next", json.dumps({"n": 1, "v": 1}),
                                   response_url=fake.response_url("card"))  # fmt: skip
    assert status == 200
    (card,) = fake.wait_for("respond:card", 1, timeout=10)
    assert "unavailable" in card.args["text"] and "nothing was changed" in card.args["text"]
    (health, _, _), seconds = _timed(lambda: bot.http.get("/healthz"))
    assert health == 503 and seconds < 3
    tally("outage", "slowest answer ms", int(max(timings) * 1000))

    relay.open()  # the database is back; the same process, no restart
    result = bot.command("/deal", "new Globex 8k")
    assert "#2" in result.text, result.text
    assert bot.http.get("/healthz")[0] == 200
    tally("writes", "checked", 2)
    shown = bot.command("/deal", "show 1").text
    assert "Lead generation" in shown  # the move during the outage did not happen
    assert "Rita" not in bot.command("/lead", "list").text
    tally("outage", "recovered without restart")


def test_postgres_connections_probe_a_silent_server(postgres_url):
    """A server that vanishes without a reset is noticed by TCP keepalives in about a
    minute, not the kernel's two hours; loopback can't stage that silence, so this checks
    the connection really asked for the probes."""
    database = Database(postgres_url)
    try:
        with database.read_engine.connect() as connection:
            params = connection.connection.dbapi_connection.info.get_parameters()
    finally:
        database.dispose()
    assert params["keepalives"] == "1"
    seconds_to_notice = int(params["keepalives_idle"]) + int(params["keepalives_interval"]) * int(
        params["keepalives_count"]
    )
    assert seconds_to_notice <= 60


@pytest.mark.parametrize("idle", [0.0, PING_AFTER_IDLE_S + 0.2], ids=["at once", "after idling"])
def test_a_restart_between_commands_goes_unseen(relayed_bot, relay, idle):
    """The server restarts while the bot's pooled connections sit idle (the relay cut and
    reopened): the next command, at once or after a while, is served on new connections
    rather than failing on a dead one, though connections are not pinged at each use."""
    bot = relayed_bot
    services = bot.services
    assert "#1" in bot.command("/deal", "new Acme 12k").text
    assert "Acme" in bot.command("/deal", "show 1").text  # a read connection pooled too
    before = _backend_pids(services.db)

    relay.cut()
    time.sleep(0.2)  # the relay's listener lets go of its port
    relay.open()
    time.sleep(idle)

    moved = bot.command("/deal", "move 1 next")
    assert "Qualification" in moved.text and UNAVAILABLE not in moved.text, moved.text
    shown = bot.command("/deal", "show 1").text
    assert "Qualification" in shown and UNAVAILABLE not in shown, shown
    assert not before & _backend_pids(services.db)  # both pools' connections are new


def _backend_pids(db: Database) -> set[int]:
    pids = set()
    for engine in (db.read_engine, db.write_engine):
        with engine.connect() as connection:
            pids.add(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
    return pids
