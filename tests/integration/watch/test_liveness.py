"""/healthz says whether a worker is ticking; HEALTHCHECK_PING_URL hears from each healthy worker once a minute."""

from datetime import timedelta

from tests.driver import http
from tests.integration.watch.pings import PingServer
from tests.processes import wait_for


def health(bot):
    response = http("GET", f"{bot.url}/healthz")
    return response.status, response.json()


def test_a_worker_silent_for_a_minute_fails_healthz_and_a_tick_mends_it(bot):
    assert health(bot) == (200, {"status": "ok", "database": "ok", "worker": "ok"}), \
        "a process just started gives its worker a minute"
    bot.clock.advance(timedelta(seconds=59))
    assert health(bot)[0] == 200
    bot.clock.advance(timedelta(seconds=16))
    assert health(bot) == (503, {"status": "failing", "database": "ok", "worker": "no tick for 75s"})
    bot.ctx.timer_worker.tick()
    assert health(bot)[0] == 200
    bot.clock.advance(timedelta(seconds=61))
    assert health(bot) == (503, {"status": "failing", "database": "ok", "worker": "no tick for 61s"})


def test_another_process_s_ticks_count(bot, make_bot):
    """On PostgreSQL the web asks the database: the worker's tick is another process's row."""
    worker = make_bot()
    bot.clock.advance(timedelta(minutes=5))
    assert health(bot)[0] == 503
    worker.ctx.timer_worker.tick()
    assert health(bot)[0] == 200


def test_each_healthy_worker_pings_once_a_minute(make_bot):
    with PingServer() as switch:
        bot = make_bot(HEALTHCHECK_PING_URL=switch.url)
        bot.ctx.timer_worker.tick()
        wait_for(lambda: len(switch.pings) == 1, 10, "the first ping")
        for _ in range(5):
            bot.clock.advance(timedelta(seconds=10))
            bot.ctx.timer_worker.tick()
        bot.clock.advance(timedelta(seconds=9))
        bot.ctx.timer_worker.tick()
        assert len(switch.pings) == 1, "at most once a minute"
        bot.clock.advance(timedelta(seconds=1))
        bot.ctx.timer_worker.tick()
        wait_for(lambda: len(switch.pings) == 2, 10, "the next minute's ping")
        bot.clock.advance(timedelta(minutes=5))  # no tick: no ping, and the switch will page
        bot.ctx.step_worker.tick()
        assert len(switch.pings) == 2, "only the timer worker's finished ticks ping"
