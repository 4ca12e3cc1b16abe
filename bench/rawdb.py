"""Plain driver connections (sqlite3, psycopg) without SQLAlchemy, for the floor's processes.

A target is `("sqlite", path)` or `("postgresql", libpq conninfo)`; `target_of(url)` in
`bench.dbs` makes one from a SQLAlchemy URL in the parent, so a floor child imports neither
SQLAlchemy nor the bot.
"""

from __future__ import annotations

import sqlite3


def connect(kind: str, target: str):
    if kind == "sqlite":
        connection = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        return connection
    import psycopg

    return psycopg.connect(target, autocommit=True)


def placeholder(kind: str) -> str:
    return "?" if kind == "sqlite" else "%s"
