"""Sending each person's daily nudge exactly once, however many schedulers run (issue 18).

The digest ledger's mechanism, keyed by (workspace, user, local day) instead of (subscription,
occurrence): the process whose INSERT creates the `nudge_sends` row owns the day; every later
step is a compare-and-set on (id, claimed_by, status); a retry is state in the row, never a
sleep; a row left `posting` past its lease is failed, never posted again (at most once for
that window, as for digests). The states and the lease are the digest ledger's, plus `empty`
for a day with nothing due (no DM) and `skipped` for someone who left the workspace.

A nudge is due once the person's local time passes their hour on one of their days, and is
sent late (a restart, an outage) as long as their day is not yet in quiet hours.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assistant.analytics.stages import workspace_facts
from assistant.blocks.nudges import nudge_message
from assistant.digests.delivery import RETRY_WINDOW, next_attempt_at
from assistant.digests.ledger import CLAIMED, FAILED, LEASE, POSTED, POSTING, RETRYING, SKIPPED
from assistant.digests.model import ClientFor
from assistant.domain.nudging import in_quiet_hours
from assistant.services.context import Services
from assistant.services.nudging.due import Plan, candidates, plan_for
from assistant.services.nudging.outcomes import compose, settle
from assistant.services.nudging.prefs import resolve, settings_rows, zones
from assistant.services.nudging.views import NudgeView, planned_view, stored_view
from assistant.slack.errors import classify
from assistant.slack.pacing import SHARED_PACER, ChannelPacer
from assistant.storage.models import NudgeItem, NudgeSend, Person, Workspace
from assistant.storage.upsert import insert_or_ignore

log = logging.getLogger(__name__)

EMPTY = "empty"  # nothing was due: no DM
TAKEN = "taken"
# Slack's answers for a user who is gone: skipped, and their deals go to their manager.
GONE = frozenset({"user_not_found", "account_inactive", "user_disabled", "cannot_dm_bot"})


@dataclass(frozen=True)
class NudgeDue:
    workspace_id: int
    team_id: str
    timezone: str
    user_id: str
    day: date


def due_now(session: Session, now: datetime, team_id: str | None = None) -> list[NudgeDue]:
    """Everyone whose nudge of today (their today) is due and not yet claimed."""
    query = select(Workspace.id, Workspace.team_id, Workspace.timezone).where(
        Workspace.uninstalled_at.is_(None)
    )
    if team_id:
        query = query.where(Workspace.team_id == team_id)
    found: list[NudgeDue] = []
    for ws_id, team, timezone in session.execute(query.order_by(Workspace.id)).all():
        people = candidates(session, ws_id)
        if not people:
            continue
        rows = settings_rows(session, ws_id)
        zone_of = zones(session, ws_id, timezone)
        claimed = set(
            session.execute(
                select(NudgeSend.slack_user_id, NudgeSend.day).where(
                    NudgeSend.workspace_id == ws_id,
                    NudgeSend.day >= (now - timedelta(days=2)).date(),
                )
            ).tuples()
        )
        for user_id in people:
            prefs, _off = resolve(rows, user_id)
            zone = zone_of.get(user_id) or ZoneInfo(timezone)
            local = now.astimezone(zone)
            at = prefs.due_at(local.date(), zone)
            if at is None or at > now or in_quiet_hours(local.time()):
                continue
            if (user_id, local.date()) not in claimed:
                found.append(NudgeDue(ws_id, team, timezone, user_id, local.date()))
    return found


class Nudger:
    """One process's side of nudging; `process_id` must be unique among live processes."""

    def __init__(
        self,
        services: Services,
        client_for: ClientFor,
        process_id: str,
        pacer: ChannelPacer | None = None,
    ) -> None:
        self.services = services
        self.db = services.db
        self.client_for = client_for
        self.me = process_id
        self.pacer = pacer or SHARED_PACER

    # -- the scheduler's pass ------------------------------------------------------------
    def tick(self, clock: Callable[[], datetime], team_id: str | None = None) -> Counter[str]:
        outcomes: Counter[str] = Counter()
        now = clock()
        self._expire_posting(now)
        with self.db.reading() as session:
            dues = due_now(session, now, team_id)
        # Yesterday's items are settled (acted on or ignored) before today's nudges build on
        # them: once per workspace and pass, not once per nudge.
        for workspace_id in dict.fromkeys(due.workspace_id for due in dues):
            with self.db.transaction() as session:
                settle(session, workspace_id, now)
        with self.db.reading() as session:
            retries = list(
                session.scalars(
                    select(NudgeSend.id).where(
                        NudgeSend.status.in_((RETRYING, CLAIMED)),
                        NudgeSend.next_attempt_at <= now,
                    )
                )
            )
        for due in dues:
            outcomes[self.claim_and_send(due, clock)] += 1
        for send_id in retries:
            if self._take(send_id, clock()):
                outcomes[self.attempt(send_id, clock)] += 1
        return outcomes

    def claim_and_send(self, due: NudgeDue, clock: Callable[[], datetime]) -> str:
        now = clock()
        values = {
            "workspace_id": due.workspace_id, "slack_user_id": due.user_id, "day": due.day,
            "status": CLAIMED, "budget": 0, "total": 0, "claimed_by": self.me,
            "claimed_at": now, "attempts": 1, "next_attempt_at": now + LEASE,
        }  # fmt: skip
        with self.db.transaction() as session:
            unique = ["workspace_id", "slack_user_id", "day"]
            send_id = insert_or_ignore(session, NudgeSend, values, unique)
        return self.attempt(int(send_id), clock) if send_id else TAKEN

    def attempt(self, send_id: int, clock: Callable[[], datetime]) -> str:
        """Compose (once) and post a send this process owns in state `claimed`."""
        now = clock()
        with self.db.transaction() as session:
            send = session.get(NudgeSend, send_id)
            if send is None or send.claimed_by != self.me or send.status != CLAIMED:
                return TAKEN
            left = session.scalar(
                select(Person.deleted).where(
                    Person.workspace_id == send.workspace_id,
                    Person.slack_user_id == send.slack_user_id,
                )
            )
            if left:
                send.status, send.next_attempt_at = SKIPPED, None
                send.error = "left the workspace (deactivated); their deals go to their manager"
                return SKIPPED
            composed = session.scalar(select(NudgeItem.id).where(NudgeItem.send_id == send_id))
            if composed is None:
                timezone = session.scalar(
                    select(Workspace.timezone).where(Workspace.id == send.workspace_id)
                )
                plan = compose(session, send.workspace_id, timezone or "UTC", send_id,
                               send.slack_user_id, now)  # fmt: skip
                send.budget, send.total = plan.budget.size, len(plan.items)
                if not plan.items:
                    send.status, send.next_attempt_at = EMPTY, None
                    return EMPTY
            send.status, send.next_attempt_at = POSTING, now + LEASE
            view = stored_view(session, send_id)
        assert view is not None
        return self._post(send_id, view, clock)

    def _post(self, send_id: int, view: NudgeView, clock: Callable[[], datetime]) -> str:
        reply = nudge_message(view)
        payload = reply.to_dict()
        try:
            with self.pacer.turn(view.user_id):
                response = self.client_for(view.team_id).chat_postMessage(
                    channel=view.user_id, text=payload["text"], blocks=payload.get("blocks"),
                    unfurl_links=False, unfurl_media=False,
                )  # fmt: skip
        except Exception as err:
            return self._failed(send_id, classify(err), clock())
        self._set(send_id, (POSTING,), status=POSTED, posted_at=clock(), next_attempt_at=None,
                  channel_id=str(response.get("channel") or view.user_id),
                  message_ts=str(response["ts"]), error=None)  # fmt: skip
        return POSTED

    def _failed(self, send_id: int, failure, now: datetime) -> str:
        if failure.reason in GONE:
            log.info("nudge %s skipped: %s", send_id, failure.reason)
            self._set(send_id, (POSTING,), status=SKIPPED, next_attempt_at=None,
                      error=failure.reason)  # fmt: skip
            return SKIPPED
        with self.db.reading() as session:
            send = session.get(NudgeSend, send_id)
            claimed_at, attempts = send.claimed_at, send.attempts
        retry_at = None
        if failure.transient:
            deadline = claimed_at + RETRY_WINDOW
            retry_at = next_attempt_at(now, attempts, failure.retry_after, deadline)
        if retry_at is not None:
            self._set(send_id, (POSTING,), status=RETRYING, next_attempt_at=retry_at,
                      error=failure.reason)  # fmt: skip
            return RETRYING
        log.warning("nudge %s failed: %s", send_id, failure.reason)
        self._set(send_id, (POSTING,), status=FAILED, next_attempt_at=None, error=failure.reason)
        return FAILED

    def _set(self, send_id: int, from_: tuple[str, ...], **values: object) -> bool:
        with self.db.transaction() as session:
            result = session.execute(
                update(NudgeSend)
                .where(NudgeSend.id == send_id, NudgeSend.claimed_by == self.me,
                       NudgeSend.status.in_(from_))
                .values(**values)
            )  # fmt: skip
            return result.rowcount == 1

    def _take(self, send_id: int, now: datetime) -> bool:
        """Own a due retry, or a claim whose owner vanished before posting (as digests)."""
        with self.db.transaction() as session:
            result = session.execute(
                update(NudgeSend)
                .where(NudgeSend.id == send_id, NudgeSend.status.in_((RETRYING, CLAIMED)),
                       NudgeSend.next_attempt_at <= now)
                .values(status=CLAIMED, claimed_by=self.me, attempts=NudgeSend.attempts + 1,
                        next_attempt_at=now + LEASE)
            )  # fmt: skip
            return result.rowcount == 1

    def _expire_posting(self, now: datetime) -> None:
        with self.db.transaction() as session:
            session.execute(
                update(NudgeSend)
                .where(NudgeSend.status == POSTING, NudgeSend.next_attempt_at <= now)
                .values(status=FAILED, next_attempt_at=None,
                        error="interrupted while posting; not posted again (at most once)")
            )  # fmt: skip


def preview(
    services: Services, at: datetime, team_id: str | None = None
) -> list[tuple[NudgeDue, NudgeView]]:
    """What each person would get at `at` (claimed or not), writing nothing. A naive `at`
    is read as each person's own wall time: "at 09:00" means at everyone's 09:00."""
    found = []
    with services.db.reading() as session:
        query = select(Workspace.id, Workspace.team_id, Workspace.timezone).where(
            Workspace.uninstalled_at.is_(None)
        )
        if team_id:
            query = query.where(Workspace.team_id == team_id)
        for ws_id, team, timezone in session.execute(query.order_by(Workspace.id)).all():
            facts = workspace_facts(session, ws_id)
            zone_of = zones(session, ws_id, timezone)
            for user_id in candidates(session, ws_id):
                zone = zone_of.get(user_id) or ZoneInfo(timezone)
                when = at if at.tzinfo else at.replace(tzinfo=zone)
                plan: Plan = plan_for(session, ws_id, timezone, user_id, when)
                if not plan.items:
                    continue
                day = when.astimezone(plan.zone).date()
                view = planned_view(team, plan, day, facts)
                found.append((NudgeDue(ws_id, team, timezone, user_id, day), view))
    return found
