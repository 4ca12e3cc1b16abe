"""`nudges` in the demo: this morning's nudge DMs, one per rep, as each rep would get them at
09:00 their time (nothing is sent or stored)."""

from __future__ import annotations

from datetime import datetime, time

from assistant.blocks.nudges import nudge_message
from assistant.demo.render import render_blocks
from assistant.demo.session import DemoSession
from assistant.digests.nudges import preview

MORNING = time(9, 0)


def print_nudges(session: DemoSession, who: str = "") -> int:
    today = session.services.now().date()
    found = preview(session.services, datetime.combine(today, MORNING), session.actor.team_id)
    names = session.style.names or {}
    wanted = who.strip().lstrip("@").casefold()
    if wanted:
        if wanted not in {n.casefold() for n in names.values()}:
            session.print(f"I don't know `{who.strip()}`; type `people` to see who is who.")
            return 1
        found = [(d, v) for d, v in found if names.get(d.user_id, "").casefold() == wanted]
    if not found:
        session.print("Nobody has a deal that needs them this morning: no nudges.")
        return 0
    for due, view in found:
        session.print(f"── DM to @{names.get(due.user_id, due.user_id)}, 09:00 their time ──")
        blocks = [b.to_dict() for b in nudge_message(view).blocks]
        session.print(render_blocks(blocks, session.style))
        session.print()
    many = "1 rep" if len(found) == 1 else f"{len(found)} reps"
    session.print(f"{many} would get a nudge; buttons work in Slack, not here.")
    return 0
