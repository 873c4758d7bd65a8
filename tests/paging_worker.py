"""The bot's worker (the Procfile's ``worker``) with a short timer lease, for tests that kill one.

    python -m tests.paging_worker   (environment as for ``python -m bot worker``)
"""

from datetime import timedelta

from bot.app import build_context
from bot.config import load_config, load_settings
from bot.jobs.scheduler import make_scheduler

if __name__ == "__main__":
    settings = load_settings()
    context = build_context(settings, load_config(settings.incident_config), lease=timedelta(seconds=3))
    make_scheduler(context, blocking=True).start()
