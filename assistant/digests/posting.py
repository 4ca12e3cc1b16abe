"""Putting a composed digest into Slack: the message, then its charts in the thread."""

from __future__ import annotations

import logging

from assistant.digests.model import DELAYED_MARKER, ClientFor, DigestMessage, DigestRequest
from assistant.slack.pacing import SHARED_PACER, ChannelPacer

log = logging.getLogger(__name__)


class SlackPoster:
    def __init__(self, client_for: ClientFor, pacer: ChannelPacer | None = None) -> None:
        self._client_for = client_for
        self.pacer = pacer or SHARED_PACER

    def post(self, request: DigestRequest, message: DigestMessage) -> str:
        """Post the message; its `ts`. Raises what WebClient raises."""
        text = message.text
        if request.delayed and DELAYED_MARKER not in text:
            text = f"{DELAYED_MARKER} {text}"  # the marker must survive any composer
        with self.pacer.turn(request.channel_id):
            response = self._client_for(request.team_id).chat_postMessage(
                channel=request.channel_id,
                text=text,
                blocks=message.blocks or None,
                unfurl_links=False,
                unfurl_media=False,
            )
        return str(response["ts"])

    def upload_charts(self, request: DigestRequest, message: DigestMessage, ts: str) -> None:
        """Share the charts in the digest's thread, in one upload, so the channel stays tidy.
        Charts left to draw are drawn first, before the channel's turn is taken."""
        if not message.has_charts:
            return
        charts = message.drawn_charts()
        with self.pacer.turn(request.channel_id):
            self._client_for(request.team_id).files_upload_v2(
                channel=request.channel_id,
                thread_ts=ts,
                file_uploads=[
                    {"file": png, "filename": filename, "title": title}
                    for filename, png, title in charts
                ],
            )
