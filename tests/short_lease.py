"""The bot's ``web`` or ``worker`` process (the Procfile's) with a short lease, and optionally a short
``stale`` (how long without a worker's tick fails /healthz), for tests that kill one and wait for
another to take its work over, or for /healthz to notice:

    python -m tests.short_lease web|worker [lease seconds] [stale seconds]   (environment as for ``python -m bot``)
"""

import sys
from datetime import timedelta

from bot.__main__ import serve, work
from bot.config import load_config, load_settings

if __name__ == "__main__":
    command, seconds = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    wiring = {"lease": timedelta(seconds=seconds)}
    if len(sys.argv) > 3:
        wiring["stale"] = timedelta(seconds=float(sys.argv[3]))
    settings = load_settings()
    run = serve if command == "web" else work
    sys.exit(run(settings, load_config(settings.incident_config), **wiring))
