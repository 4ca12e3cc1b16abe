"""Talking to Slack's Web API: the clients, pacing posts per channel, and what its errors mean.

Everything that calls Slack (the listeners' follow-ups, commands that open a form or upload a
chart, the digest scheduler) builds its client and reads its failures here, so a 429 is
waited out and a `not_in_channel` is final in every one of them alike.
"""
