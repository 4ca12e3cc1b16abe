"""The demo: the bot's slash commands in a terminal, on a seeded sample workspace."""
