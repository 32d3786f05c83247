"""A run's past: where it can go back to, and what a film of it replays.  No Qt.

``History`` keeps the run's ``Timeline`` (timeline.py: stored states, exact replay) and does
what going back means to the stored states: ``begin`` a run at the session's state, ``go_to``
an earlier iteration (the session takes its state, what came after is forgotten), mark an
``edited`` network (the states from the edit's iteration on are forgotten and the edited one
is an anchor, never thinned), forget the states of a ``diverged`` iteration, replay the
iteration that led to one (``trace_at``), and give a film its ``source`` (a copy of the
experiment and every stored state).  It changes nothing else: the validation points, the
traces, the state of training are the runner's to forget.
"""

from __future__ import annotations

import copy

from .experiment import Experiment
from .film import Source
from .timeline import Timeline
from .traces import trace_at
from .training import StepTrace, TrainingSession


class History:
    """A run's stored states and what going back does to them (see the module doc)."""

    def __init__(self) -> None:
        self.timeline = Timeline()

    @property
    def first(self) -> int:
        """The earliest iteration that can be shown (after opening a session: where it was saved)."""
        return self.timeline.first or 0

    def begin(self, session: TrainingSession) -> None:
        """A run starts here: the session's state is the first stored one."""
        self.timeline = Timeline()
        self.timeline.record(session)

    def record(self, session: TrainingSession, anchor: bool = False) -> None:
        """Keep the session's state (``anchor``: where settings changed, see timeline.py)."""
        self.timeline.record(session, anchor=anchor)

    def clamp(self, iteration: int, present: int) -> int:
        """``iteration`` within what can be shown: from the first stored state to the present."""
        return max(self.first, min(int(iteration), present))

    def go_to(self, session: TrainingSession, iteration: int) -> None:
        """The session takes the state of ``iteration`` (replayed exactly); what came after is
        forgotten.  Raises ValueError when the iteration cannot be replayed (the session is
        then unchanged)."""
        session.set_state(self.timeline.state_at(session, iteration))
        self.timeline.truncate(iteration)
        self.timeline.record(session)

    def edited(self, session: TrainingSession) -> None:
        """The session's network was edited at its iteration: the state stored there before the
        edit goes, the edited one is an anchor (replays start from it, not across it)."""
        self.timeline.truncate(session.iteration - 1)
        self.timeline.record(session, anchor=True)

    def diverged(self, iteration: int) -> None:
        """The session went back to ``iteration`` after an infinite error: the states stored
        after it go too."""
        self.timeline.truncate(iteration)

    def trace_at(self, session: TrainingSession, iteration: int) -> StepTrace | None:
        """Every matrix of the iteration that led to ``iteration`` (traces.trace_at)."""
        return trace_at(session, self.timeline, iteration)

    def source(self, exp: Experiment) -> Source:
        """What a film of this run replays: a copy of the experiment with a session of its own at
        the first stored state, and every stored state (with the settings in force from each).
        The film is then shot anywhere, the run untouched."""
        states = tuple(self.timeline.entries)
        scratch = copy.copy(exp)
        scratch.session = exp.session.clone(states[0][2])
        scratch.session.set_state(states[0][1])
        return Source(scratch, states, int(exp.session.iteration))
