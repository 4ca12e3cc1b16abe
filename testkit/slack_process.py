"""The fake Slack Web API in a process of its own: `python -m testkit.slack_process [CONFIG]`.

Without CONFIG (the commands benchmark) it answers every call at once and only counts them,
so a long run does not grow its memory. CONFIG (the fleet) is a JSON file: `{"tokens":
{token: team}, "channels": {channel: team}, "latency": [low, high]}`. Every call then waits a
uniformly random latency in [low, high] seconds before it is answered (Slack's own answers
take tens of milliseconds); a token it does not know gets `invalid_auth`, and a channel of
another team `channel_not_found`, as Slack would answer them. It then records, for every
chat.postMessage and every step of a file upload: the method, the token's team, the channel,
when it arrived (wall clock) and the `ts` it answered.

It prints its base URL on the first line of stdout and serves until stdin closes. The parent
reads the records over HTTP: `GET api/fleet.counts` (calls by method) and `api/fleet.records`.
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time
from collections import Counter
from typing import Any

from testkit.fake_slack import Call, FakeSlack

RECORDED = ("chat.postMessage", "files.getUploadURLExternal", "files.completeUploadExternal")
CHANNEL_ARG = {"chat.postMessage": "channel", "files.completeUploadExternal": "channel_id"}


class FleetSlack(FakeSlack):
    def __init__(
        self, tokens: dict[str, str] | None, channels: dict[str, str], latency=(0.0, 0.0)
    ) -> None:
        super().__init__()
        self.tokens = tokens  # None: any token, any channel, nothing recorded
        self.channels_of = channels
        self.low, self.high = latency
        self.records: list[dict[str, Any]] = []
        self.counts: Counter[str] = Counter()
        self._random = random.Random(8)
        self._random_lock = threading.Lock()

    def _take_fault(self, method: str):
        if method.startswith("fleet.") or not self.high:
            return None, 0.0
        with self._random_lock:
            return None, self._random.uniform(self.low, self.high)

    def _record(self, call: Call) -> None:
        if call.method.startswith("fleet."):
            return
        record = None
        if call.method in RECORDED and self.tokens is not None:
            record = {
                "method": call.method,
                "team": self.tokens.get(call.token or ""),
                "token": call.token,
                "channel": call.args.get(CHANNEL_ARG.get(call.method, ""), None),
                "at": time.time(),
                "thread_ts": call.args.get("thread_ts"),
            }
            call.fleet_record = record  # type: ignore[attr-defined]  # the answer adds its ts
        with self._lock:
            self.counts[call.method.split(":", 1)[0]] += 1
            if record is not None:
                self.records.append(record)

    def _answer(self, call: Call) -> dict[str, Any] | str:
        if call.method == "fleet.counts":
            with self._lock:
                return {"ok": True, "counts": dict(self.counts)}
        if call.method == "fleet.records":
            with self._lock:
                return {"ok": True, "records": list(self.records)}
        record = getattr(call, "fleet_record", None)
        if record is not None:
            problem = self._refused(record)
            if problem:
                record["error"] = problem
                return {"ok": False, "error": problem}
        answer = super()._answer(call)
        if record is not None and isinstance(answer, dict):
            record["ts"] = answer.get("ts")
        return answer

    def _refused(self, record: dict[str, Any]) -> str | None:
        if record["team"] is None:
            return "invalid_auth"
        channel = record["channel"]
        if channel is not None and self.channels_of.get(channel) != record["team"]:
            return "channel_not_found"
        return None


def main(argv: list[str]) -> int:
    config = {"tokens": None, "channels": {}, "latency": (0.0, 0.0)}
    if argv:
        with open(argv[0], encoding="utf-8") as config_file:
            config = json.load(config_file)
    fake = FleetSlack(config["tokens"], config["channels"], config["latency"])._serve()
    print(fake.url, flush=True)
    try:
        sys.stdin.read()  # until the parent closes our stdin (or dies)
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
