"""The bot's ``web`` or ``worker`` process (the Procfile's) with a short lease, for tests that kill one
and wait for another to take its work over:

    python -m tests.short_lease web|worker [seconds]   (environment as for ``python -m bot``)
"""

import sys
from datetime import timedelta

from bot.__main__ import serve, work
from bot.config import load_config, load_settings

if __name__ == "__main__":
    command, seconds = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    settings = load_settings()
    run = serve if command == "web" else work
    sys.exit(run(settings, load_config(settings.incident_config), lease=timedelta(seconds=seconds)))
