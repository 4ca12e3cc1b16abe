"""Questions in plain words ("what's stuck in proposal?") turned into the slash command that
answers them (`/deal list stuck proposal`), deterministically, without a language model.

Pure: it imports only `assistant.domain` and rapidfuzz; the caller builds the Vocabulary from
the workspace's data, runs the command, and shows "Same as `…`" so people learn the commands.
"""
