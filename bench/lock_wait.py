"""How late a waiting SQLite writer takes the write lock after it is freed (bench/RESULTS.md,
issue 20 item 3, step 4): SQLite's own busy handler (30 s timeout, as before) against `Database`'s.

`python -m bench.lock_wait`: a holder takes the lock for `held` ms; a waiter asks for it
right after; printed is how long after the release the waiter got it (median of 5).
Independent of CPU load to within a millisecond or two, unlike the HTTP benchmark.
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import text

from assistant.storage.database import Database

HELD_MS = (20, 60, 150, 250, 500)


def _late(path: Path, held_ms: int, take) -> float:
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    released: list[float] = []

    def release() -> None:
        time.sleep(held_ms / 1000)
        released.append(time.perf_counter())
        holder.execute("COMMIT")

    thread = threading.Thread(target=release)
    thread.start()
    take()
    got = time.perf_counter()
    thread.join()
    holder.close()
    return (got - released[0]) * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lock.db"
        db = Database(f"sqlite:///{path}")
        with db.transaction() as session:
            session.execute(text("CREATE TABLE t (x INTEGER)"))

        def sqlite_handler() -> None:
            connection = sqlite3.connect(path, isolation_level=None, timeout=30)
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("COMMIT")
            connection.close()

        def ours() -> None:
            with db.transaction() as session:
                session.execute(text("INSERT INTO t VALUES (1)"))

        print("held ms | SQLite's busy handler: ms late | Database.transaction: ms late")
        for held in HELD_MS:
            old = statistics.median(_late(path, held, sqlite_handler) for _ in range(5))
            new = statistics.median(_late(path, held, ours) for _ in range(5))
            print(f"{held:7} | {old:6.1f} | {new:6.1f}")
        db.dispose()


if __name__ == "__main__":
    main()
