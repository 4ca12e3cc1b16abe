"""`python -m assistant.demo [COMMAND]`, the same as `python bot.py demo [COMMAND]`."""

import sys

from assistant.demo.console import main

sys.exit(main(sys.argv[1:]))
