"""Cycles are collected in the GUI thread only, never in the worker that happens to allocate."""

import gc
import threading

from nnviz.gui import collector


class Cycle:
    freed_in: list[str] = []

    def __init__(self):
        self.me = self

    def __del__(self):
        Cycle.freed_in.append(threading.current_thread().name)


def test_a_cycle_dropped_while_another_thread_allocates_is_freed_in_the_gui_thread(make_window, qtbot):
    make_window()
    assert not gc.isenabled()
    Cycle.freed_in.clear()
    Cycle()  # garbage, reachable only from itself

    kept = []

    def allocate():  # enough live container objects to fill the youngest generation many times over
        for _ in range(50_000):
            kept.append([])

    t = threading.Thread(target=allocate, name="allocator")
    t.start()
    t.join()
    assert Cycle.freed_in == []  # the allocating thread did not collect it
    qtbot.waitUntil(lambda: Cycle.freed_in != [], timeout=5_000)
    assert Cycle.freed_in == [threading.main_thread().name]
    assert len(kept) == 50_000


def test_the_timer_collects_generations_by_the_interpreters_thresholds(make_window, monkeypatch):
    make_window()
    c = collector.install()
    calls = []
    monkeypatch.setattr(gc, "collect", lambda gen=2: calls.append(gen) or 0)
    t0, t1, t2 = c.threshold
    for counts, want in (((t0, 0, 0), []), ((t0 + 1, t1, 0), [0]), ((t0 + 1, t1 + 1, t2), [0, 1]),
                         ((t0 + 1, t1 + 1, t2 + 1), [0, 1, 2])):
        calls.clear()
        monkeypatch.setattr(gc, "get_count", lambda counts=counts: counts)
        c.check()
        assert calls == want
