"""The one write path for deals and leads: each change, its rules and its history rows."""
