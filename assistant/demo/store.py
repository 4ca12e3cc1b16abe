"""Where the demo keeps its data, and seeding it once.

The demo workspace is the Slack team `T0DEMO`; a database holding real teams (with
`--database`) keeps them untouched. The workspace's name is written only when seeding has
finished, so a seeding cut short (Ctrl-C) is recognised next time and done again.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, func, select, update

from assistant.demo.sample import TEAM_ID
from assistant.demo.seed import DEFAULT_SEED, Progress, SeedResult, seed_demo
from assistant.storage.database import Database
from assistant.storage.migrate import upgrade_if_needed
from assistant.storage.models import Deal, Lead, Workspace

DEMO_FILE = Path("demo.db")
DEMO_NAME = "Sales Assistant demo"


def local_url(path: Path = DEMO_FILE) -> str:
    return f"sqlite:///{path.resolve()}"


def remove_local(path: Path = DEMO_FILE) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def is_seeded(db: Database) -> bool:
    with db.reading() as session:
        name = session.scalar(select(Workspace.name).where(Workspace.team_id == TEAM_ID))
    return name == DEMO_NAME


def remove_demo(db: Database) -> None:
    """Delete the demo workspace and everything in it (the foreign keys cascade)."""
    with db.transaction() as session:
        session.execute(delete(Workspace).where(Workspace.team_id == TEAM_ID))


class NotTheDemo(Exception):
    """The database holds more than the demo's sample: the demo never touches it."""


def refuse_other_data(db: Database) -> None:
    """The demo seeds (and reseeds) its own sample only: a database that holds any other
    workspace (an import, a real team) is not the demo's to change."""
    with db.reading() as session:
        others = session.scalars(
            select(Workspace.team_id).where(Workspace.team_id != TEAM_ID).limit(3)
        ).all()
    if others:
        raise NotTheDemo(
            f"this database holds other workspaces ({', '.join(others)}), so the demo leaves "
            "it alone; look at your data with `python bot.py console`, or run the demo on its "
            "own database (`python bot.py demo`, without --database)"
        )


def prepare(
    db: Database,
    *,
    reset: bool = False,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> SeedResult | None:
    """Migrate, then seed unless a complete demo workspace is there; the result if seeded.
    Raises NotTheDemo, changing nothing, for a database that holds anything else."""
    upgrade_if_needed(db)
    refuse_other_data(db)
    if not reset and is_seeded(db):
        return None
    remove_demo(db)
    result = seed_demo(db, seed=seed, scale=scale, progress=progress, now=now)
    mark_seeded(db)
    return result


def mark_seeded(db: Database) -> None:
    with db.transaction() as session:
        session.execute(
            update(Workspace).where(Workspace.team_id == TEAM_ID).values(name=DEMO_NAME)
        )


def counts_text(db: Database, team_id: str) -> str:
    deals, leads = counts(db, team_id)
    return f"{deals:,} deals, {leads:,} leads"


def counts(db: Database, team_id: str = TEAM_ID) -> tuple[int, int]:
    """How many deals and leads a workspace (the demo's by default) holds."""
    with db.reading() as session:
        workspace_id = select(Workspace.id).where(Workspace.team_id == team_id).scalar_subquery()
        deals = session.scalar(select(func.count(Deal.id)).where(Deal.workspace_id == workspace_id))
        leads = session.scalar(select(func.count(Lead.id)).where(Lead.workspace_id == workspace_id))
    return deals or 0, leads or 0
