"""`/digest send`: post a digest now, once, outside any schedule.

No ledger row: the person who asked sees the result, so a failure is reported to them
(`DigestNotPosted`) instead of retried behind their back, which could post twice.
"""

from __future__ import annotations

import logging

from assistant.digests.compose import request_for
from assistant.digests.model import ClientFor, Composer, DigestNotPosted
from assistant.digests.posting import SlackPoster
from assistant.services.context import Actor, Services
from assistant.services.roles import role_in
from assistant.services.subscriptions import check_kind, require_digest_role
from assistant.services.workspaces import workspace_for_reading
from assistant.slack.errors import classify
from assistant.slack.pacing import ChannelPacer

log = logging.getLogger(__name__)


def send_now(
    services: Services,
    actor: Actor,
    channel_id: str,
    kind: str,
    composer: Composer,
    client_for: ClientFor,
    *,
    pacer: ChannelPacer | None = None,
) -> str:
    """Compose and post one digest to `channel_id`; the message's `ts`."""
    with services.db.reading() as session:
        ws = workspace_for_reading(services, session, actor.team_id)
        require_digest_role(role_in(session, services, ws, actor), check_kind(kind), "post digests")
    request = request_for(services, actor, channel_id, kind)
    message = composer(request)
    poster = SlackPoster(client_for, pacer)
    try:
        ts = poster.post(request, message)
    except Exception as err:
        failure = classify(err)
        log.warning("digest send to %s failed: %s", channel_id, failure.reason)
        raise DigestNotPosted(channel_id, failure.reason, transient=failure.transient) from err
    try:
        poster.upload_charts(request, message, ts)
    except Exception as err:
        log.warning("charts of digest sent to %s not uploaded: %s", channel_id, classify(err))
    return ts
