"""Plain driver connections (sqlite3, psycopg) from a database URL, without SQLAlchemy: what
the floors' processes use, so they import neither SQLAlchemy nor the bot."""

from __future__ import annotations

import sqlite3


def target_of(url: str) -> tuple[str, str]:
    """("sqlite", path) or ("postgresql", libpq URI) for a SQLAlchemy URL."""
    if url.startswith("sqlite:///"):
        return "sqlite", url.removeprefix("sqlite:///")
    rest = url.split("://", 1)[1]
    return "postgresql", "postgresql://" + rest  # psycopg takes the URI without "+psycopg"


def connect(kind: str, target: str):
    if kind == "sqlite":
        connection = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        return connection
    import psycopg

    return psycopg.connect(target, autocommit=True)


def placeholder(kind: str) -> str:
    return "?" if kind == "sqlite" else "%s"
