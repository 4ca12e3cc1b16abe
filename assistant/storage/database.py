"""Engines, sessions and transactions for SQLite and PostgreSQL.

SQLite needs care to be safe under concurrent writers: its default deferred transactions
let two writers read the same row and then fail (or, worse, one overwrite the other), and
it ignores `SELECT ... FOR UPDATE`. Write transactions therefore start with
`BEGIN IMMEDIATE`, which takes the write lock up front, and WAL mode lets readers go on
while one writer works. Reads use a second engine with plain deferred transactions so they
never queue behind writers.

A writer that finds the lock taken waits in `_begin_immediate`, retrying every millisecond or
two, rather than in SQLite's own busy handler: that one sleeps 1, 2, 5, 10, ... and then 100 ms
at a time, so under a few concurrent writers a transaction would wait up to 100 ms after the
lock was free, and the slowest writes took most of a second (bench/STEPS.md, step 4).

On PostgreSQL, reads run in autocommit on a pool of their own: each statement sees what was
committed before it, as it did in a READ COMMITTED transaction, without the BEGIN and
ROLLBACK round trips; a statement that would change data is refused in a read session.
"""

from __future__ import annotations

import logging
import select
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InvalidatePoolError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000
# How long a writer's statements wait in SQLite's own busy handler (two 1 ms sleeps). Once a
# writer holds the write lock, WAL mode does not keep it waiting, so this only matters in rare
# cases (a WAL being recovered); BEGIN IMMEDIATE waits in `_begin_immediate` instead.
SQLITE_WRITER_BUSY_MS = 2
# Between two attempts to take the write lock: short, so the lock is taken soon after it is
# freed; the sleep lets the holder run meanwhile.
WRITE_LOCK_RETRY_S = (0.0005, 0.001, 0.002)
# A PostgreSQL server that is down must be reported within Slack's 3 seconds, not after
# the driver's default (no) connect timeout.
POSTGRES_CONNECT_TIMEOUT_S = 2
# A server that vanishes mid-query (a failover, a dropped network path) sends no reset; with
# the kernel's defaults a worker would wait about two hours on that socket. Probing an idle
# connection after 30 s, every 10 s, 3 times, frees the worker within about a minute.
POSTGRES_KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}
# A pooled connection idle this long is pinged before use, in case the server went away
# without a word; see `_ping_when_idle`.
PING_AFTER_IDLE_S = 1.0
_IDLE_SINCE = "idle_since"


class DatabaseUnavailable(Exception):
    """The database could not be reached; the request should be answered, not crashed."""


class WriteInReadSession(Exception):
    """A statement that changes data was run in a `reading()` session: a bug, refused."""


_CHANGING = ("INSERT", "UPDATE", "DELETE", "MERGE")


def _refuse_writes(engine: Engine) -> None:
    """Reads never change anything. On PostgreSQL each read statement commits on its own
    (AUTOCOMMIT), so a change made by mistake in a read session would stay instead of being
    rolled back with the session; it is refused before it reaches the database, on both."""

    @event.listens_for(engine, "before_cursor_execute")
    def _before(_connection, _cursor, statement: str, *_args) -> None:
        if statement.lstrip()[:6].upper() in _CHANGING:
            raise WriteInReadSession(statement.split(None, 3)[:3])


def normalize_url(url: str) -> str:
    """Accept the URLs people paste (`postgres://`, `postgresql://`) and use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Hand transaction control to SQLAlchemy's "begin" event below instead of
        # pysqlite's own implicit BEGIN, which would be DEFERRED.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        busy = SQLITE_WRITER_BUSY_MS if immediate else SQLITE_BUSY_TIMEOUT_MS
        cursor.execute(f"PRAGMA busy_timeout={busy}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        if immediate:
            _begin_immediate(connection)
        else:
            connection.exec_driver_sql("BEGIN")

    return engine


def _begin_immediate(connection) -> None:
    """Take SQLite's write lock, retrying every millisecond or two for up to
    SQLITE_BUSY_TIMEOUT_MS (then failing as SQLite's busy handler would)."""
    raw = connection.connection.driver_connection
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    attempt = 0
    while time.monotonic() < deadline:
        try:
            raw.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as err:
            if getattr(err, "sqlite_errorcode", sqlite3.SQLITE_BUSY) != sqlite3.SQLITE_BUSY:
                raise
        time.sleep(WRITE_LOCK_RETRY_S[min(attempt, len(WRITE_LOCK_RETRY_S) - 1)])
        attempt += 1
    connection.exec_driver_sql("BEGIN IMMEDIATE")  # the last try: its error as SQLAlchemy's


def _postgres_engine(url: str, **options) -> Engine:
    engine = create_engine(
        url,
        **options,
        pool_size=10,
        max_overflow=10,
        pool_timeout=2,
        connect_args={"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S, **POSTGRES_KEEPALIVES},
    )
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection before use only when it may have died: when the server has
    sent something on it while it sat in the pool, or it sat there PING_AFTER_IDLE_S.

    SQLAlchemy's `pool_pre_ping` pings at every checkout: a round trip (and two autocommit
    switches) per transaction, 0.1-0.2 ms of each command's 1.8-4 ms (issue 20). An idle
    connection has nothing to read, so a readable socket means the server closed it (a
    restart, a terminated backend): that costs a poll, not a round trip. Like
    `pool_pre_ping`, a failed ping replaces every pooled connection (`InvalidatePoolError`)
    and the request goes on with a new one. A connection that dies while in use is a
    disconnect, which SQLAlchemy handles the same way after that request fails."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection, record) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_in_doubt(dbapi_connection, record, _proxy) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None:  # a new connection, just made
            return
        if time.monotonic() - since < PING_AFTER_IDLE_S and not _readable(dbapi_connection):
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as err:
            if dialect.is_disconnect(err, dbapi_connection, None):
                raise InvalidatePoolError() from err
            raise


def _readable(dbapi_connection) -> bool:
    """Whether the server has written to the connection: a `poll` with no wait (unlike
    `select`, it takes a descriptor past 1,023). A connection closed on our side never gets
    here: SQLAlchemy drops it when its reset at check-in fails."""
    poller = select.poll()
    poller.register(dbapi_connection.fileno(), select.POLLIN)
    return bool(poller.poll(0))


class Database:
    """The one handle services get: `transaction()` to change, `reading()` to look."""

    def __init__(self, url: str) -> None:
        self.url = normalize_url(url)
        self.dialect = make_url(self.url).get_backend_name()
        if self.dialect not in ("sqlite", "postgresql"):
            # Rather than SQLAlchemy looking for a driver (MySQLdb, ...) we never install.
            raise ArgumentError(f"{self.dialect} is not supported; use SQLite or PostgreSQL")
        if self.is_sqlite:
            self.write_engine = _sqlite_engine(self.url, immediate=True)
            self.read_engine = _sqlite_engine(self.url, immediate=False)
        else:
            self.write_engine = _postgres_engine(self.url)
            # Reads in autocommit: under READ COMMITTED each statement sees what was committed
            # before it, in a transaction or not, so a read session loses nothing, and it saves
            # the BEGIN and ROLLBACK round trips, two of a `/deal show`'s seven: 25-50 % more
            # commands a second (issue 20, bench/RESULTS.md). Its own pool, so the level is
            # set once per connection rather than at each checkout.
            self.read_engine = _postgres_engine(self.url, isolation_level="AUTOCOMMIT")
        _refuse_writes(self.read_engine)
        self._write_sessions = sessionmaker(self.write_engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)
        # Work to do at the start of the next write transaction in this context (a request's
        # thread): see `first_write`.
        self._first_write: ContextVar[Callable[[Session], None] | None] = ContextVar(
            f"first_write_{id(self)}", default=None
        )

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits when the block ends, rolls back on any exception."""
        hook = self._first_write.get()
        if hook is not None:
            self._first_write.set(None)
        try:
            with _translate_outage(), self._write_sessions() as session, session.begin():
                if hook is not None:
                    hook(session)
                yield session
        except BaseException:
            if hook is not None:  # rolled back with the rest: the next transaction does it
                self._first_write.set(hook)
            raise

    @contextmanager
    def first_write(self, hook: Callable[[Session], None]) -> Iterator[None]:
        """Inside the block, the first write transaction of this context (thread) that commits
        also runs `hook` at its start: a request's replay key is recorded in the same
        transaction as its change, not in one of its own (`settle_first_write`)."""
        token = self._first_write.set(hook)
        try:
            yield
        finally:
            self._first_write.reset(token)

    def settle_first_write(self) -> None:
        """Run a pending `first_write` hook now, in a transaction of its own."""
        if self._first_write.get() is not None:
            with self.transaction():
                pass

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session; never commits."""
        with _translate_outage(), self._read_sessions() as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read-only session that sees one state from start to end, in one transaction:
        for a long read that streams its rows (an export; PostgreSQL's server-side cursors
        need a transaction, which `reading()`'s autocommit statements are not)."""
        with _translate_outage(), self._read_sessions() as session:
            try:
                if not self.is_sqlite:  # SQLite's read transaction is a snapshot already
                    session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
                yield session
            finally:
                session.rollback()

    def is_healthy(self) -> bool:
        try:
            with self.read_engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:  # any failure means "not healthy"; the reason is logged
            log.warning("database health check failed", exc_info=True)
            return False

    def dispose(self) -> None:
        self.write_engine.dispose()
        self.read_engine.dispose()


@contextmanager
def _translate_outage() -> Iterator[None]:
    """Turn "cannot connect" into DatabaseUnavailable; other database errors propagate."""
    try:
        yield
    except DBAPIError as err:
        if err.connection_invalidated or _is_connection_error(err):
            raise DatabaseUnavailable(str(err.orig)) from err
        raise


_OUTAGE_MARKERS = (
    "could not connect",
    "connection refused",
    "connection failed",
    "server closed the connection",
    "terminating connection",
    "connection is closed",
    "unable to open database file",
)


def failure_reason(err: BaseException) -> str:
    """The first line of the driver's own message (SQLAlchemy's adds the SQL and a link; the
    driver's rest is hints over several lines), for a one-line error on the command line."""
    lines = str(getattr(err, "orig", None) or err).strip().splitlines()
    return lines[0].strip() if lines else type(err).__name__


def shown_url(url: str) -> str:
    """The database URL without its password, or as typed if it does not parse."""
    try:
        return make_url(normalize_url(url)).render_as_string(hide_password=True)
    except Exception:  # an unparseable URL shows itself; it has no password field to hide
        return url


def _is_connection_error(err: DBAPIError) -> bool:
    message = str(err.orig).lower()
    return any(marker in message for marker in _OUTAGE_MARKERS)
