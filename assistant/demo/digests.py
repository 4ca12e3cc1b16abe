"""`digest` in the demo: both digests as text, their charts saved as PNG files."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from assistant.demo.render import render_blocks
from assistant.demo.sample import DEMO_CHANNEL
from assistant.demo.session import DemoSession
from assistant.digests.compose import make_composer
from assistant.digests.model import DigestRequest
from assistant.storage.models import Workspace

log = logging.getLogger(__name__)

OUTPUT_DIR = Path("demo-output")


def print_digests(session: DemoSession, output_dir: Path = OUTPUT_DIR) -> int:
    """Both digests of the session's workspace as of now, as the scheduler would post them."""
    composer = make_composer(session.services)
    now = session.services.now()
    with session.services.db.reading() as db_session:
        workspace = db_session.scalar(
            select(Workspace).where(Workspace.team_id == session.actor.team_id)
        )
        workspace_id, timezone = workspace.id, workspace.timezone
    for kind in ("pipeline", "funnel"):
        request = DigestRequest(
            workspace_id=workspace_id,
            team_id=session.actor.team_id,
            subscription_id=None,
            channel_id=DEMO_CHANNEL,
            kind=kind,
            occurrence_at=now,
            delayed=False,
            timezone=timezone,
            previous_occurrence_at=now - timedelta(days=1),
        )
        message = composer(request)
        blocks = [b if isinstance(b, dict) else b.to_dict() for b in message.blocks]
        session.print(render_blocks(blocks, session.style) if blocks else message.text)
        for filename, png, title in message.drawn_charts():
            output_dir.mkdir(parents=True, exist_ok=True)
            path = output_dir / Path(filename).name
            path.write_bytes(png)
            session.print(f"[chart: {title}] saved to {path}")
        session.print()
    return 0
