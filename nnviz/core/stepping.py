"""The step-through commands: one iteration, or one stage of it, back, to an earlier iteration, a
look at one, a weight edited; and what a film of the run replays.  No Qt.

These are commands of the ``Runner`` (runner.py binds each), taken at rest: each makes one of
the track's moves (track.py: ``single_step``, ``micro_step``, ``go_to``, ``present_trace``,
``edit_weight``) or sets the iteration looked at (``preview_at``), and asks the runner, its
``Host``, for what is the state machine's: to pause a training under way first, to leave an
early stop before a new iteration, to report a move that failed (``_made``: its one line goes
to the listener) and to send the snapshot after.  Nothing here keeps a state of its own, waits,
or sends anything itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from .context import State
from .film import Source
from .track import Track
from .traces import every_core


class Host(Protocol):
    """What the step-through commands ask of the runner (runner.Runner is one)."""

    track: Track | None  # the network's track; None before the first configure
    state: State
    clock: Callable[[], float]

    def pause(self) -> None: ...  # a training under way stops: a checkpoint, a snapshot
    def _track(self) -> Track: ...  # the track (a RuntimeError when there is none)
    def _leave_early_stop(self) -> None: ...  # training goes on after an early stop
    def _made(self, move: Callable[..., None], *args) -> bool: ...  # False: it raised, its line was sent
    def _paused(self, unstop: bool = True) -> None: ...  # a move at rest was made: paused, a snapshot
    def _emit(self, force: bool = False, slack: float = 0.0) -> None: ...  # a snapshot (forced: now)


def halt(run: Host) -> Track:
    """Before a step-through command: pause training and leave any micro-steps and look back."""
    if run.state.live:
        run.pause()
    track = run._track()
    track.micro, track.preview_at = None, None
    return track


def single_step(run: Host) -> None:
    """One iteration with its trace (Track.single_step), at rest: Step 1 while not training."""
    track = run._track()
    track.micro = None
    run._leave_early_stop()
    with every_core(track.session):  # nothing trains beside it
        if run._made(track.single_step, run.clock()):
            run._paused()


def micro_step(run: Host) -> None:
    """The next stage of the current iteration; the last stage applies the update."""
    track = run.track
    if track is None:
        return
    if run.state.live:
        run.pause()
    track.preview_at = None  # before an early stop is left: its snapshot shows the present
    if track.micro is None or track.micro.done:
        run._leave_early_stop()
    if run._made(track.micro_step):
        run._paused(unstop=False)


def step_back(run: Host) -> None:
    """Undo one iteration (or leave the micro-steps of an iteration not yet applied)."""
    if run.track is None:
        return
    unapplied = run.track.micro is not None and not run.track.micro.done
    track = halt(run)
    if unapplied:
        track.present_trace()
        run._emit(force=True)
    elif track.iteration > 0:
        go_to(run, track.iteration - 1)


def resume_from(run: Host, iteration: int) -> None:
    """Make an earlier iteration the current one; what came after is discarded."""
    if run.track is not None:
        track = halt(run)
        go_to(run, track.history.clamp(iteration, track.iteration))


def go_to(run: Host, iteration: int) -> None:
    """The track goes back to ``iteration`` (Track.go_to): paused there, no longer stopped."""
    if run._made(run._track().go_to, iteration):
        run._paused()


def preview(run: Host, iteration: int) -> None:
    """A snapshot of the network as it was at ``iteration``; the training state is unchanged."""
    track = run.track
    if track is None:
        return
    iteration = track.history.clamp(iteration, track.iteration)
    if iteration != track.iteration and run.state.live:
        run.pause()  # a look back stops training: the present would run away from it
    track.preview_at = None if iteration == track.iteration else iteration  # the present: an ordinary one
    run._emit(force=True)


def set_weight(run: Host, layer: int, row: int, col: int, value: float) -> None:
    """Edit one weight (0-based indices, row 0 = bias); training continues from the edited network."""
    if run.track is not None and run._made(halt(run).edit_weight, layer, row, col, value):
        run._emit(force=True)


def film_source(run: Host) -> Source:
    """What a film of this run replays (History.source): made here, in the training thread;
    the film is then shot anywhere, the run untouched."""
    track = run._track()
    return track.history.source(track.exp)
