"""What the fleet run did, from the fake Slack's records and from the delivery ledger; and
what composing one digest costs (`compose_costs`).

From the fake: one chat.postMessage per subscription in each channel (no duplicates, none
missing), each with the bot token of the channel's own team, and the spacing of the
messages each channel got (digests and chart shares). From the ledger: one row per
subscription for 09:00, `posted`, with the `ts` of a post the fake really answered in that
channel; which process claimed it; none with charts still pending. Times are on the
schedulers' clock, from 09:00.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, text

from assistant.storage.database import Database
from assistant.storage.models import DigestDelivery, DigestSubscription, Workspace
from bench.fleet_setup import ZONE

POST, CHART = "chat.postMessage", "files.completeUploadExternal"
PACE = 1.0  # seconds between two messages to one channel (Slack's limit, the product's pacer)


@dataclass
class Checked:
    expected: int = 0  # subscriptions, all due at 09:00
    posts: int = 0  # chat.postMessage calls the fake accepted
    refused: int = 0  # calls the fake refused: a token not installed, a channel not its team's
    duplicates: int = 0  # posts to a channel beyond the subscriptions it has
    missing: int = 0  # subscriptions whose channel got fewer posts than it should
    wrong_token: int = 0  # posts with the token of another team than the channel's
    ledger_rows: int = 0
    ledger_status: dict[str, int] = field(default_factory=dict)
    ledger_unmatched: int = 0  # posted rows whose ts is not a post the fake answered there
    other_rows: int = 0  # rows for occurrences other than 09:00 today
    delayed: int = 0  # rows marked delayed (over 5 minutes late)
    split: dict[str, int] = field(default_factory=dict)  # claimed_by -> rows
    lateness: list[float] = field(default_factory=list)  # seconds after 09:00, sorted
    charts: int = 0  # chart shares (files.completeUploadExternal) accepted
    charts_unshared: int = 0  # ledger rows whose charts are still pending or being shared
    last_chart_s: float | None = None
    min_gap_s: float | None = None  # least time between two messages to one channel
    close_gaps: int = 0  # gaps under PACE (minus 50 ms of network jitter)
    shared_channels: int = 0  # channels whose digests were posted by more than one process
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_s(self) -> float | None:
        return self.lateness[0] if self.lateness else None

    @property
    def last_s(self) -> float | None:
        return self.lateness[-1] if self.lateness else None

    def percentile(self, q: float) -> float | None:
        if not self.lateness:
            return None
        return self.lateness[min(len(self.lateness) - 1, math.ceil(q * len(self.lateness)) - 1)]

    @property
    def throughput(self) -> float | None:
        """Digests per second, from the first post to the last."""
        if len(self.lateness) < 2 or self.last_s == self.first_s:
            return None
        return (len(self.lateness) - 1) / (self.last_s - self.first_s)


def check(url: str, fleet, target: datetime, offset: float, records: list[dict]) -> Checked:
    c = Checked()
    team_of = {t.channel: t.team_id for t in fleet}
    expected = {t.channel: len(t.kinds) for t in fleet}
    c.expected = sum(expected.values())
    sent_ts: dict[str, set[str]] = defaultdict(set)
    per_channel: dict[str, list[float]] = defaultdict(list)
    posts_in: Counter[str] = Counter()
    start = target.timestamp() - offset  # 09:00 on the schedulers' clock, as a real time
    for r in records:
        if r.get("error"):
            c.refused += 1
            continue
        if r["method"] not in (POST, CHART):
            continue
        late = r["at"] - start
        per_channel[r["channel"]].append(late)
        if r["method"] == CHART:
            c.charts += 1
            c.last_chart_s = max(late, c.last_chart_s or late)
            continue
        c.posts += 1
        posts_in[r["channel"]] += 1
        sent_ts[r["channel"]].add(r["ts"])
        c.lateness.append(late)
        if r["team"] != team_of.get(r["channel"]):
            c.wrong_token += 1
    c.lateness.sort()
    for channel, want in expected.items():
        got = posts_in.get(channel, 0)
        c.duplicates += max(0, got - want)
        c.missing += max(0, want - got)
    c.duplicates += sum(n for ch, n in posts_in.items() if ch not in expected)
    for times in per_channel.values():
        times.sort()
        for a, b in zip(times, times[1:], strict=False):
            gap = b - a
            c.min_gap_s = gap if c.min_gap_s is None else min(c.min_gap_s, gap)
            c.close_gaps += gap < PACE - 0.05
    _check_ledger(c, url, target, sent_ts)
    _problems(c)
    return c


def _check_ledger(c: Checked, url: str, target: datetime, sent_ts: dict[str, set[str]]) -> None:
    database = Database(url)
    try:
        with database.reading() as session:
            rows = session.execute(
                select(
                    DigestDelivery.subscription_id,
                    DigestDelivery.occurrence_at,
                    DigestDelivery.status,
                    DigestDelivery.claimed_by,
                    DigestDelivery.message_ts,
                    DigestDelivery.delayed,
                    DigestSubscription.channel_id,
                    DigestDelivery.charts,
                )
                .join(DigestSubscription, DigestSubscription.id == DigestDelivery.subscription_id)
                .join(Workspace, Workspace.id == DigestSubscription.workspace_id)
            ).all()
    finally:
        database.dispose()
    status: Counter[str] = Counter()
    split: Counter[str] = Counter()
    owners: dict[str, set[str]] = defaultdict(set)
    for _sub, occurrence, state, owner, ts, delayed, channel, charts in rows:
        if occurrence != target:
            c.other_rows += 1
            continue
        c.ledger_rows += 1
        status[state] += 1
        split[owner or "?"] += 1
        owners[channel].add(owner or "?")
        c.delayed += bool(delayed)
        c.charts_unshared += charts is not None
        if state == "posted" and ts not in sent_ts.get(channel, set()):
            c.ledger_unmatched += 1
    c.ledger_status = dict(status)
    c.split = dict(split)
    c.shared_channels = sum(len(who) > 1 for who in owners.values())


def _problems(c: Checked) -> None:
    say = c.problems.append
    if c.posts != c.expected:
        say(f"{c.posts} posts for {c.expected} digests")
    names = (
        "duplicates",
        "missing",
        "wrong_token",
        "refused",
        "ledger_unmatched",
        "charts_unshared",
    )
    for name in names:
        if getattr(c, name):
            say(f"{name}: {getattr(c, name)}")
    if c.ledger_rows != c.expected or c.ledger_status.get("posted", 0) != c.expected:
        say(f"ledger: {c.ledger_rows} rows for {c.expected} digests, {c.ledger_status}")
    if c.other_rows:
        say(f"ledger: {c.other_rows} rows for other occurrences than 09:00 today")


def compose_costs(url: str, target: datetime, samples: int = 10) -> dict[str, float]:
    """Mean ms per digest, composed in this process after the run: figures and blocks, and
    figures, blocks and charts (what the schedulers did per digest)."""
    from assistant.digests.compose import compose_digest
    from assistant.digests.model import DigestRequest
    from assistant.services.context import Services

    database = Database(url)
    services = Services(db=database, clock=lambda: target + timedelta(seconds=30))
    with database.reading() as session:
        rows = session.execute(
            text(
                "SELECT s.id, s.workspace_id, w.team_id, s.channel_id FROM digest_subscriptions s "
                "JOIN workspaces w ON w.id = s.workspace_id WHERE s.kind = 'pipeline' "
                "ORDER BY s.id LIMIT :n"
            ),
            {"n": samples},
        ).all()
    requests = [
        DigestRequest(ws, team, sub, channel, "pipeline", target, False, ZONE,
                      target - timedelta(days=1))
        for sub, ws, team, channel in rows
    ]  # fmt: skip
    out = {}
    for name, charts in (("text ms", False), ("with charts ms", True)):
        compose_digest(services, requests[0], charts=charts)  # warm
        began = time.perf_counter()
        for request in requests:
            compose_digest(services, request, charts=charts)
        out[name] = (time.perf_counter() - began) * 1000 / len(requests)
    database.dispose()
    return out
