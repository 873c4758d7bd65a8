import threading
import time

from bot.slack.effects import AckFirst


def test_slack_work_starts_at_once_when_no_request_waits():
    started = time.monotonic()
    AckFirst(patience=5).wait()
    assert time.monotonic() - started < 0.5


def test_slack_work_waits_for_the_requests_in_flight():
    gate = AckFirst(patience=5)
    released = threading.Event()

    def request():
        with gate.request():
            released.wait(5)

    thread = threading.Thread(target=request)
    thread.start()
    time.sleep(0.05)
    threading.Timer(0.2, released.set).start()
    started = time.monotonic()
    gate.wait()
    waited = time.monotonic() - started
    thread.join()
    assert 0.1 < waited < 2


def test_slack_work_is_never_starved_by_a_stream_of_requests():
    gate = AckFirst(patience=0.2)
    with gate.request():
        started = time.monotonic()
        gate.wait()
        assert 0.15 < time.monotonic() - started < 1.5
