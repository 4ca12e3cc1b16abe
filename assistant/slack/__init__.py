"""Slack-side plumbing shared by listeners: the runtime, identity, de-duplication."""
