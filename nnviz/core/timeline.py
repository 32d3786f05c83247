"""Going back in training: stored states, checkpoints and deterministic replay.

A ``Timeline`` keeps full session states (weights, optimiser memory, the random
generator and the mini-batch position) at some iterations.  Any earlier
iteration is rebuilt bit for bit by taking the nearest stored state at or
before it and replaying the iterations in between: training is deterministic,
so the replay reproduces the original run exactly.  Memory stays bounded: when
there are more than ``capacity`` states, every other older one is dropped
(the most recent ``keep_recent`` are always kept, so stepping back is instant).
A state recorded as an *anchor* (where the settings changed or a weight was edited:
the run does not follow from the state before) is never dropped, or a replay across it
would go on with the old settings or weights.

``MicroSteps`` splits one iteration into the stages the post explains: forward
through each layer, the error, the delta at the output and at each hidden layer
going back, and the weight update.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .training import StepTrace, TrainConfig, TrainingSession


def state_bytes(state: dict) -> int:
    return sum(v.nbytes for v in state.values() if isinstance(v, np.ndarray))


@dataclass
class _Entry:
    iteration: int
    state: dict
    config: TrainConfig
    anchor: bool = False


class Timeline:
    """States of one training run by iteration (see module doc)."""

    def __init__(self, capacity: int = 2000, max_bytes: int = 256 * 2**20, keep_recent: int = 200):
        self.capacity = capacity
        self.max_bytes = max_bytes
        self.keep_recent = keep_recent
        self._entries: list[_Entry] = []

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def iterations(self) -> list[int]:
        return [e.iteration for e in self._entries]

    def clear(self) -> None:
        self._entries.clear()

    @property
    def entries(self) -> list[tuple[int, dict, TrainConfig]]:
        """(iteration, state, config in force from there) of every stored state, oldest first; the
        states are never changed in place, so a copy of this list may be replayed elsewhere."""
        return [(e.iteration, e.state, e.config) for e in self._entries]

    def record(self, session: TrainingSession, anchor: bool = False) -> None:
        """Store the session's current state (replacing any stored at the same iteration);
        ``anchor``: the run does not follow from the previous state (see the module doc)."""
        state = session.get_state()
        it = state["iteration"]
        while self._entries and self._entries[-1].iteration >= it:
            self._entries.pop()
        self._entries.append(_Entry(it, state, session.config, anchor))
        self._thin(state_bytes(state))

    def _thin(self, one: int) -> None:
        """Keep at most ``max_bytes`` of states (and ``capacity`` of them): for a big network
        fewer recent states are kept whole, never the memory cap exceeded (at least the first
        state and the newest stay, so any iteration can still be replayed)."""
        fit = max(self.max_bytes // max(one, 1), 2)
        cap = min(self.capacity, fit)
        recent_n = min(self.keep_recent, max(cap // 2, 1))
        while len(self._entries) > cap:
            old, recent = self._entries[:-recent_n], self._entries[-recent_n:]
            thinned = [e for k, e in enumerate(old) if k % 2 == 0 or e.anchor]
            if len(thinned) == len(old):  # every other old one is an anchor: drop the oldest others, not the first
                spare = [k for k, e in enumerate(old) if k and not e.anchor][:len(self._entries) - cap]
                thinned = [e for k, e in enumerate(old) if k not in spare]
            if len(thinned) == len(old):  # nothing more to drop among the old: give up recent ones
                drop = {k for k, e in enumerate(recent[:-1]) if not e.anchor}
                drop = set(sorted(drop)[:len(self._entries) - cap])
                recent = [e for k, e in enumerate(recent) if k not in drop]
            if len(thinned) + len(recent) == len(self._entries):
                break  # anchors only (and the first and newest states): they all stay
            self._entries = thinned + recent

    def truncate(self, iteration: int) -> None:
        """Forget everything after ``iteration`` (training goes another way from there)."""
        self._entries = [e for e in self._entries if e.iteration <= iteration]

    @property
    def first(self) -> int | None:
        return self._entries[0].iteration if self._entries else None

    def config_at(self, iteration: int) -> TrainConfig | None:
        """The configuration in force for the update made after ``iteration`` iterations (that of
        the newest stored state at or before it); None before the first stored state."""
        best = None
        for e in self._entries:
            if e.iteration > iteration:
                break
            best = e
        return best.config if best is not None else None

    def state_at(self, session: TrainingSession, iteration: int) -> dict:
        """The state at ``iteration``: stored, or replayed from the nearest earlier state.

        ``session`` supplies the data; it is not changed.
        """
        best = None
        for e in self._entries:
            if e.iteration <= iteration:
                best = e
            else:
                break
        if best is None:
            raise ValueError(f"iteration {iteration} is before the first stored state")
        if best.iteration == iteration:
            return _copy_state(best.state)
        scratch = session.clone(best.config)
        scratch.set_state(best.state)
        done = scratch.run(iteration - best.iteration)
        if done.iterations != iteration - best.iteration:
            raise ValueError(f"cannot replay to iteration {iteration} ({done.stopped})")
        return scratch.get_state()


def _copy_state(state: dict) -> dict:
    return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in state.items()}


def parse_stage(stage: str | None) -> tuple[str, int | None]:
    """A stage name as (kind, layer): "forward 2" -> ("forward", 2), "error" -> ("error", None);
    None (no micro-step) -> ("", None).  The one place stage names are read."""
    if not stage:
        return "", None
    kind, _, num = stage.partition(" ")
    return kind, int(num) if num else None


def stage_names(n_layers: int) -> list[str]:
    """The micro-steps of one iteration for a network with ``n_layers`` weight matrices."""
    names = [f"forward {li}" for li in range(1, n_layers + 1)]
    names.append("error")
    names += [f"delta {li}" for li in range(n_layers, 0, -1)]
    names.append("update")
    return names


class MicroSteps:
    """One iteration in stages.  The iteration is computed on a copy up front
    (``trace``); ``finish`` applies it to the session, so completing the stages
    gives exactly the weights of one normal step."""

    def __init__(self, session: TrainingSession):
        before = session.get_state()
        self.trace: StepTrace = session.step_trace()
        self._after = session.get_state()
        session.set_state(before)
        self.names = stage_names(len(self.trace.layers))
        self.index = 0  # the stage shown: 0 = the first forward layer

    @property
    def stage(self) -> str:
        return self.names[self.index]

    @property
    def done(self) -> bool:
        return self.index == len(self.names) - 1

    def advance(self) -> str:
        if not self.done:
            self.index += 1
        return self.stage

    def finish(self, session: TrainingSession) -> None:
        """Apply the iteration (the last stage, the weight update)."""
        session.set_state(self._after)
        self.index = len(self.names) - 1
