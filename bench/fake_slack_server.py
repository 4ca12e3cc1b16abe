"""The fake Slack Web API in a process of its own: `python -m bench.fake_slack_server`.

It prints its base URL on the first line of stdout and serves until stdin closes. The bot's
workers call it for `auth.test` at start, `users.info` (cached ten minutes per user) and
follow-ups after deal changes (`views.publish` for App Home). It counts calls instead of
keeping them, so a long run does not grow its memory.
"""

from __future__ import annotations

import sys
from collections import Counter

from tests.support.fake_slack import FakeSlack


class CountingFakeSlack(FakeSlack):
    def __init__(self) -> None:
        super().__init__()
        self.counts: Counter[str] = Counter()

    def _record(self, call) -> None:
        with self._lock:
            self.counts[call.method.split(":", 1)[0]] += 1


def main() -> int:
    fake = CountingFakeSlack.start()
    print(fake.url, flush=True)
    try:
        sys.stdin.read()  # until the parent closes our stdin (or dies)
    finally:
        print(dict(fake.counts), file=sys.stderr, flush=True)
        fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
