"""Block Kit builders: results in, `Reply` (blocks + plain-text fallback) out.

Builders return `slack_sdk.models.blocks` objects so Slack's length limits are checked
where they are made, and every message has a complete text fallback for notifications,
screen readers and the demo console.
"""
