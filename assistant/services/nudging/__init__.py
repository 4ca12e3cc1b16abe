"""Personal nudges (issue 18): preferences, who manages whom, what is due for whom, what a
click in a nudge does, and how useful nudges proved. Sending them is `digests.nudges`."""
