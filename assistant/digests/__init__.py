"""Digests: compose them, schedule them, deliver each scheduled occurrence exactly once.

- `schedule`: when a subscription is due (pure; time zones and daylight saving).
- `subscriptions`: subscribe, list, unsubscribe (services).
- `model`: `DigestRequest` in, `DigestMessage` out of the composer.
- `ledger`, `delivery`, `posting`: the exactly-once delivery (see `delivery`'s docstring).
- `scheduler`: `DigestScheduler`, the per-process tick; `send`: `/digest send`.
"""
