"""What a training session carries from one update to the next: the weights, the update rules'
memory arrays (updates.memory_spec: momentum's velocity, rprop's steps and last gradients), the
random generator, the epoch's batch order and position, the iteration count.

``take`` and ``restore`` are ``TrainingSession.get_state`` and ``set_state``: the state is a dict
of copies, its arrays float64 (a float32 session's values exactly, so a state restores bit for
bit; io/session.py writes it to .nnviz files).  ``carry_memory`` is the memory's part of
``reconfigure``.  The functions take the session (training.py) and work on its arrays.
"""

from __future__ import annotations

import numpy as np

from .config import TrainConfig


def take(session) -> dict:
    """The session's state (copies): params, every memory array (float64), rng, order, pos,
    iteration."""
    state: dict = {"params": session.net.params.copy()}
    state.update({name: a.astype(np.float64) for name, a in session.memory.items()})
    state.update({"rng": session.rng.bit_generator.state, "order": session._order.copy(), "pos": session._pos,
                  "iteration": session.iteration})
    return state


def restore(session, state: dict) -> None:
    """Put a state taken by ``take`` back (a memory array it lacks starts afresh)."""
    np.copyto(session.net.params, state["params"])
    session._pull()
    for name, a in session.memory.items():
        if name in state:
            np.copyto(a, state[name])
        else:
            a.fill(session._memory_start[name])
    session.rng.bit_generator.state = state["rng"]
    session._order = state["order"].copy()
    session._pos = state["pos"]
    session.iteration = state["iteration"]


def carry_memory(session, old: TrainConfig, config: TrainConfig) -> None:
    """The memory arrays when ``config`` follows ``old``: every one starts afresh when the
    algorithm changes, as does any the new rule does not use; the rule's own are kept (less
    what ``rule.forget`` drops for the new settings).  A rule registered after the session
    was made gets its arrays here."""
    rule = config.rule
    for name, start in rule.memory:
        if name not in session.memory:
            session._memory_start[name] = start
            session.memory[name] = np.full(session._params.size, start, session._params.dtype)
    own = {name for name, _ in rule.memory}
    for name, a in session.memory.items():
        if config.algorithm != old.algorithm or name not in own:
            a.fill(session._memory_start[name])
    if config.algorithm == old.algorithm:
        rule.forget(session.memory, old, config)
