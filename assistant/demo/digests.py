"""`digest` in the demo: both digests as text, their charts saved as PNG files.

The composer (`assistant/digests/compose.py`) is imported only when asked for, so the demo
works before the scheduler exists and says so.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import logging
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from assistant.demo.render import render_blocks
from assistant.demo.sample import DEMO_CHANNEL
from assistant.demo.session import DemoSession
from assistant.digests.model import DigestRequest
from assistant.storage.models import Workspace

log = logging.getLogger(__name__)

COMPOSE_MODULE = "assistant.digests.compose"
OUTPUT_DIR = Path("demo-output")
NOT_YET = "Digests arrive with the scheduler: this version has no digest composer yet."


def find_composer(services) -> Callable | None:
    """The composer as `request -> DigestMessage`, however compose.py spells it; None while
    there is no compose.py."""
    if COMPOSE_MODULE not in sys.modules and importlib.util.find_spec(COMPOSE_MODULE) is None:
        return None
    module = importlib.import_module(COMPOSE_MODULE)
    for name in ("make_composer", "composer_for", "build_composer", "DigestComposer"):
        factory = getattr(module, name, None)
        if callable(factory):
            return factory(services)
    compose = getattr(module, "compose", None) or getattr(module, "compose_digest", None)
    if not callable(compose):
        raise LookupError(f"{COMPOSE_MODULE} has no composer the demo knows how to call")
    if len(inspect.signature(compose).parameters) >= 2:
        return lambda request: compose(services, request)
    return compose


def print_digests(session: DemoSession, output_dir: Path = OUTPUT_DIR) -> int:
    """Both digests of the session's workspace as of now, as the scheduler would post them."""
    composer = find_composer(session.services)
    if composer is None:
        session.print(NOT_YET)
        return 0
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
        for filename, png, title in message.charts:
            output_dir.mkdir(parents=True, exist_ok=True)
            path = output_dir / Path(filename).name
            path.write_bytes(png)
            session.print(f"[chart: {title}] saved to {path}")
        session.print()
    return 0
