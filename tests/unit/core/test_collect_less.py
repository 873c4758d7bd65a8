"""A long-running process freezes what start-up built out of the collector's scans and collects its
youngest generation less often (``bot.__main__.collect_less``), in a process of its own here, as the
test process's collector is left alone."""

import subprocess
import sys

from bot.__main__ import YOUNG_OBJECTS


def test_a_built_process_freezes_its_start_up_collects_the_young_less_often_and_collects_again():
    probe = ("import gc; from bot.app import build_context; from bot.__main__ import collect_less; "
             "before = gc.get_freeze_count(); gc.disable(); collect_less(); "
             "print(before, gc.get_freeze_count(), gc.get_threshold()[0], int(gc.isenabled()))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    before, frozen, young, enabled = map(int, done.stdout.split())
    assert before == 0 and frozen > 10_000  # the modules' and models' objects, at the least
    assert young == YOUNG_OBJECTS
    assert enabled  # on again: ``main`` keeps it off only while the process is built
