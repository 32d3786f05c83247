"""The runner's commands in parts, each without a Runner (issue 25, "no class over 300 lines").

The step-through commands (stepping.py) and the network's lifecycle (lifecycle.py) run on a
stand-in host that records what they ask of the runner, in order; the kernel's load says when
it waits (kernel_load.py); the views' needs say when they changed (snapshot_maker.View); a look
back that cannot be replayed becomes the present with its line; Step N follows no pace."""

from __future__ import annotations

import threading
from dataclasses import replace

import numpy as np
import pytest

from nnviz.core import editing, kernel_load, lifecycle, stepping
from nnviz.core.context import State
from nnviz.core.derive import NEEDS
from nnviz.core.experiment import Experiment, Settings
from nnviz.core.pace import Pace, Schedule
from nnviz.core.snapshot_maker import SnapshotMaker, View
from nnviz.core.track import Track
from nnviz.core.traces import Traces

SMALL = Settings(data="iris", hidden=(4,), engine="numpy", iterations=1_000)
TWO_INPUTS = Settings(data="xor", hidden=(3,), engine="numpy", iterations=1_000)


class Host:
    """A runner's stand-in for its commands: a track, a state, and the log of what they asked."""

    def __init__(self, track: Track | None = None, state: State = State.PAUSED) -> None:
        self.track, self.state = track, state
        self.clock = lambda: 0.0
        self.listener = self  # the contexts go to the same log
        self.traces = Traces()
        self.interruptible, self.leave_cores = False, 0
        self.asked: list = []

    @property
    def exp(self):
        return self.track.exp if self.track is not None else None

    def on_context(self, ctx) -> None:
        self.asked.append(("context", ctx.generation, ctx.data_version))

    def pause(self) -> None:
        self.asked.append("pause")
        self.state = State.PAUSED

    def _track(self) -> Track:
        assert self.track is not None
        return self.track

    def _leave_early_stop(self) -> None:
        self.asked.append("leave early stop")

    def _made(self, move, *args) -> bool:
        try:
            move(*args)
        except ValueError as exc:
            self._fail(str(exc))
            return False
        return True

    def _paused(self, unstop: bool = True) -> None:
        self.asked.append(("paused", unstop))

    def _fail(self, message: str) -> None:
        self.asked.append(("fail", message))

    def _emit(self, force: bool = False, slack: float = 0.0) -> None:
        self.asked.append("snapshot")

    def _adopted(self, track: Track) -> None:
        self.asked.append("adopted")
        self.track = track

    def _retrained(self, settings: Settings) -> None:
        self.asked.append("retrained")

    def _kernel_waiting(self, note: str | None) -> None:
        self.asked.append(("kernel", note))


def weights_after(settings: Settings, iterations: int) -> list[np.ndarray]:
    exp = Experiment(settings)
    exp.session.run(iterations)
    return [W.copy() for W in exp.network.weights]


def same_weights(a, b) -> bool:
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def stepped(settings: Settings, n: int, state: State = State.PAUSED) -> Host:
    """A host whose track made ``n`` single steps (each stored)."""
    host = Host(Track(Experiment(settings)), state)
    for _ in range(n):
        host.track.single_step(now=0.0)
    return host


# -- stepping.py -------------------------------------------------------------------------

def test_without_a_track_the_step_through_commands_do_nothing():
    host = Host()
    stepping.micro_step(host)
    stepping.step_back(host)
    stepping.resume_from(host, 3)
    stepping.preview(host, 3)
    stepping.set_weight(host, 0, 0, 0, 1.0)
    assert host.asked == []


def test_a_single_step_leaves_an_early_stop_and_pauses_there():
    host = stepped(SMALL, 0)
    stepping.single_step(host)
    assert host.asked == ["leave early stop", ("paused", True)]
    assert host.track.iteration == 1 and same_weights(host.track.exp.network.weights, weights_after(SMALL, 1))


def test_micro_steps_pause_first_and_leave_an_early_stop_only_when_an_iteration_starts():
    host = stepped(SMALL, 0, State.RUNNING)
    stepping.micro_step(host)
    assert host.asked == ["pause", "leave early stop", ("paused", False)]
    while not host.track.micro.done:
        host.asked.clear()
        stepping.micro_step(host)
        assert host.asked == [("paused", False)]  # the same iteration: no early stop left, nothing paused
    assert host.track.iteration == 1 and same_weights(host.track.exp.network.weights, weights_after(SMALL, 1))
    host.asked.clear()
    stepping.micro_step(host)  # the next iteration starts
    assert host.asked == ["leave early stop", ("paused", False)] and host.track.iteration == 1


def test_step_back_leaves_stages_not_applied_then_goes_back_one_iteration():
    host = stepped(SMALL, 5)
    stepping.micro_step(host)
    stepping.micro_step(host)
    host.asked.clear()
    stepping.step_back(host)  # the stages of iteration 6 were not applied: the present again
    assert host.asked == ["snapshot"] and host.track.micro is None and host.track.iteration == 5
    assert host.track.traces.last is not None and host.track.traces.last.iteration == 5
    host.asked.clear()
    stepping.step_back(host)
    assert host.asked == [("paused", True)] and host.track.iteration == 4 and host.track.rewound
    assert same_weights(host.track.exp.network.weights, weights_after(SMALL, 4))


def test_resume_from_pauses_a_running_host_and_clamps_to_what_can_be_shown():
    host = stepped(SMALL, 6, State.RUNNING)
    host.track.preview_at = 2
    stepping.resume_from(host, 99)  # past the present: the present
    assert host.asked == ["pause", ("paused", True)] and host.track.iteration == 6
    assert host.track.preview_at is None
    host.asked.clear()
    stepping.resume_from(host, -3)  # before the first stored state: that state
    assert host.asked == [("paused", True)] and host.track.iteration == 0


def test_a_preview_pauses_only_to_look_elsewhere_and_the_present_is_an_ordinary_snapshot():
    host = stepped(SMALL, 10, State.RUNNING)
    stepping.preview(host, 10)
    assert host.asked == ["snapshot"] and host.track.preview_at is None
    stepping.preview(host, 50)  # clamped to the present
    assert host.asked == ["snapshot"] * 2 and host.track.preview_at is None
    stepping.preview(host, 3)
    assert host.asked == ["snapshot"] * 2 + ["pause", "snapshot"] and host.track.preview_at == 3
    assert host.track.iteration == 10  # a look: nothing moved


def test_a_weight_edit_sends_its_snapshot_or_its_line_and_changes_nothing_else():
    host = stepped(SMALL, 3)
    before = [W.copy() for W in host.track.exp.network.weights]
    stepping.set_weight(host, 9, 0, 0, 1.0)
    assert host.asked == [("fail", "there is no weight W10[1, 1]")]
    assert same_weights(host.track.exp.network.weights, before)
    host.asked.clear()
    stepping.set_weight(host, 0, 1, 2, 0.25)
    assert host.asked == ["snapshot"] and host.track.exp.network.weights[0][1, 2] == 0.25 and host.track.rewound


def test_a_film_source_holds_every_stored_state_up_to_the_present():
    host = stepped(SMALL, 4)
    source = stepping.film_source(host)
    assert source.present == 4 and [s[0] for s in source.states] == [0, 1, 2, 3, 4]
    assert host.track.iteration == 4 and host.asked == []


# -- lifecycle.py ------------------------------------------------------------------------

def test_adopt_numbers_the_networks_and_sends_the_context_before_the_snapshot(monkeypatch):
    monkeypatch.setattr("nnviz.core.training.warm_up", lambda engine, dtype: pytest.fail("not warm: no kernel"))
    host = Host()
    lifecycle.adopt(host, Experiment(SMALL), warm=False)
    lifecycle.adopt(host, Experiment(TWO_INPUTS), warm=False)
    assert host.asked == ["adopted", ("context", 1, 0), "snapshot", "adopted", ("context", 2, 0), "snapshot"]
    assert host.track.exp.settings == TWO_INPUTS and host.track.traces is host.traces


def test_new_rows_keep_the_network_and_its_generation():
    host = Host()
    lifecycle.adopt(host, Experiment(TWO_INPUTS), warm=False)
    exp, ctx = host.track.exp, host.track.context
    host.asked.clear()
    lifecycle.set_data(host, editing.add_point(editing.as_custom(ctx.train, ctx.test), 0.5, 0.5, 1))
    assert host.asked == [("context", 1, 1), "snapshot"] and host.track.exp is exp


def test_configure_retrains_in_place_or_builds_a_new_network_and_a_bad_setting_changes_nothing():
    host = Host()
    lifecycle.configure(host, SMALL)
    assert host.asked == ["adopted", ("context", 1, 0), "snapshot"]
    exp = host.track.exp
    host.asked.clear()
    lifecycle.configure(host, replace(SMALL, lr=0.05, iterations=50))  # training only
    assert host.asked == ["retrained"] and host.track.exp is exp and exp.settings.lr == 0.05
    host.asked.clear()
    lifecycle.configure(host, replace(SMALL, batch_size=0))
    assert host.asked == [("fail", "the batch size must be at least 1 (got 0)")] and exp.settings.lr == 0.05
    host.asked.clear()
    lifecycle.configure(host, replace(SMALL, target="zzz"))
    assert [a[0] for a in host.asked] == ["fail"] and host.track.exp is exp
    host.asked.clear()
    lifecycle.configure(host, replace(SMALL, hidden=(3,)))
    assert host.asked == ["adopted", ("context", 2, 0), "snapshot"] and host.track.exp.arch.describe() == "4-3-3"


def test_reset_gives_the_seeds_weights_on_the_same_settings_and_rows():
    host = Host()
    lifecycle.reset(host)
    assert host.asked == []
    lifecycle.configure(host, SMALL)
    host.track.exp.session.run(20)
    lifecycle.reset(host)
    assert host.asked[-3:] == ["adopted", ("context", 2, 0), "snapshot"] and host.track.iteration == 0
    assert same_weights(host.track.exp.network.weights, weights_after(SMALL, 0))


def test_adopt_waits_for_a_slow_kernel_with_snapshots_before_its_own(monkeypatch):
    release = threading.Event()
    monkeypatch.setattr("nnviz.core.training.warm_up", lambda engine, dtype: started(release))
    host = Host()
    host._kernel_waiting = lambda note: (host.asked.append(("kernel", note)), release.set())
    lifecycle.adopt(host, Experiment(SMALL))
    assert host.asked == ["adopted", ("context", 1, 0), ("kernel", ""), ("kernel", None), "snapshot"]


# -- kernel_load.py ----------------------------------------------------------------------

def started(release: threading.Event) -> threading.Thread:
    """A kernel's load that lasts until ``release`` (10 s at most)."""
    t = threading.Thread(target=release.wait, args=(10,), daemon=True)
    t.start()
    return t


def test_a_kernel_loaded_at_once_is_not_waited_for(monkeypatch):
    notes: list = []
    monkeypatch.setattr("nnviz.core.training.warm_up", lambda engine, dtype: None)  # NumPy: nothing
    kernel_load.load_kernel(Experiment(SMALL), notes.append)
    done = threading.Event()
    done.set()
    monkeypatch.setattr("nnviz.core.training.warm_up", lambda engine, dtype: started(done))
    kernel_load.load_kernel(Experiment(SMALL), notes.append)
    assert notes == []


def test_a_slow_kernel_is_said_to_load_and_past_the_notice_to_compile(monkeypatch):
    release = threading.Event()
    monkeypatch.setattr("nnviz.core.training.warm_up", lambda engine, dtype: started(release))
    monkeypatch.setattr(kernel_load, "KERNEL_NOTICE_SECONDS", 0.05)
    notes: list = []

    def waiting(note):
        notes.append(note)
        if note == kernel_load.KERNEL_COMPILING:
            release.set()

    kernel_load.load_kernel(Experiment(SMALL), waiting)
    assert notes == ["", kernel_load.KERNEL_COMPILING, None]
    release.clear()  # loaded before the notice: no note of compiling
    monkeypatch.setattr(kernel_load, "KERNEL_NOTICE_SECONDS", 10.0)
    notes.clear()
    kernel_load.load_kernel(Experiment(SMALL), lambda note: (notes.append(note), release.set()))
    assert notes == ["", None]


def test_the_wait_is_over_even_when_a_snapshot_during_it_fails(monkeypatch):
    release = threading.Event()
    monkeypatch.setattr("nnviz.core.training.warm_up", lambda engine, dtype: started(release))
    notes: list = []

    def waiting(note):
        notes.append(note)
        if note is not None:
            release.set()
            raise RuntimeError("the listener broke")

    with pytest.raises(RuntimeError, match="listener broke"):
        kernel_load.load_kernel(Experiment(SMALL), waiting)
    assert notes == ["", None]


# -- snapshot_maker.View, a look back, the schedule ----------------------------------------

def test_the_view_says_when_it_changed_and_keeps_what_is_not_given():
    view = View()
    assert (view.needs, view.row, view.node) == (NEEDS, 0, None)
    assert not view.set(NEEDS)
    assert view.set({"outputs", "no such need"}) and view.needs == {"outputs"}
    assert view.set({"outputs"}, 3) and view.row == 3
    assert not view.set({"outputs"}) and view.row == 3  # row None, node (): unchanged
    assert view.set({"outputs"}, node=(1.0, 2)) and view.node == (1, 2)
    assert not view.set({"outputs"}, 3, (1, 2)) and not view.set({"outputs"}) and view.node == (1, 2)
    assert view.set({"outputs"}, node=None) and view.node is None


def test_a_look_back_that_cannot_be_replayed_becomes_the_present_with_its_line():
    track = Track(Experiment(TWO_INPUTS))
    for _ in range(12):
        track.single_step(now=0.0)
    ctx = track.context
    track.set_data(editing.add_point(editing.as_custom(ctx.train, ctx.test), 0.5, 0.5, 1))  # first stored: 12
    track.single_step(now=0.0)
    run = Host(track)
    run.chunk, run.commands, run.stopped, run.message, run.kernel_loading, run.kernel_note = 1, 0, None, "", False, ""
    maker = SnapshotMaker()
    track.preview_at, track.rewound = 13, True  # the present: an ordinary snapshot
    snap, problem = maker.snapshot(run)
    assert problem is None and not snap.preview and snap.rewound and not track.rewound
    track.preview_at = 5
    snap, problem = maker.snapshot(run)
    assert "before the first stored state" in problem and not snap.preview and snap.iteration == 13
    assert track.preview_at is None
    track.preview_at = 12
    snap, problem = maker.snapshot(run)
    assert problem is None and snap.preview and snap.iteration == 12 and track.preview_at == 12


def test_step_n_follows_no_pace():
    schedule = Schedule(Pace(5.0))
    assert schedule.paced(True) is schedule
    unpaced = schedule.paced(False)
    assert unpaced.pace is None and unpaced.allowed(1_000, 0.0, 0, 30.0) == 1_000 and unpaced.wait(0.0, 0) == 0
