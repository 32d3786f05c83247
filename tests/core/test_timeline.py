"""Stepping, micro-steps, step back and replay: everything bit for bit."""

import numpy as np
import pytest

from nnviz.core.experiment import Experiment, Settings
from nnviz.core.timeline import MicroSteps, Timeline, stage_names


def _exp(**kw):
    return Experiment(Settings(**{"data": "iris", "seed": 5, **kw}))


@pytest.mark.parametrize("kw", [{}, {"batch_size": 16, "momentum": 0.9, "data": "spiral"}, {"algorithm": "rprop+"}])
def test_n_single_steps_equal_n_iterations(kw):
    a, b = _exp(**kw), _exp(**kw)
    for _ in range(37):
        a.session.step_trace()
    b.session.run(37)
    assert np.array_equal(a.network.params, b.network.params)
    assert a.session.iteration == b.session.iteration == 37


def test_micro_steps_of_an_iteration_equal_one_step():
    a, b = _exp(hidden=(5, 4, 3)), _exp(hidden=(5, 4, 3))
    a.session.run(10)
    b.session.run(10)
    before = a.network.params.copy()
    micro = MicroSteps(a.session)
    assert micro.names == stage_names(4) == ["forward 1", "forward 2", "forward 3", "forward 4", "error",
                                             "delta 4", "delta 3", "delta 2", "delta 1", "update"]
    seen = [micro.stage]
    while not micro.done:
        seen.append(micro.advance())
        if not micro.done:
            assert np.array_equal(a.network.params, before)  # nothing applied before the update
    assert seen == micro.names
    micro.finish(a.session)
    b.session.run(1)
    assert np.array_equal(a.network.params, b.network.params)
    assert a.session.iteration == 11
    for l, lt in enumerate(micro.trace.layers):
        np.testing.assert_array_equal(lt.update, b.network.weights[l] - lt.W)


def test_step_back_restores_bit_exact_weights():
    e = _exp(batch_size=20, momentum=0.5)
    tl = Timeline()
    tl.record(e.session)
    states = [e.network.params.copy()]
    for _ in range(15):
        e.session.step_trace()
        tl.record(e.session)
        states.append(e.network.params.copy())
    for k in range(15, -1, -1):
        e.session.set_state(tl.state_at(e.session, k))
        assert e.session.iteration == k
        assert np.array_equal(e.network.params, states[k])
    # and training on from a restored state repeats the original path
    e.session.set_state(tl.state_at(e.session, 7))
    e.session.run(8)
    assert np.array_equal(e.network.params, states[15])


def test_replay_from_a_checkpoint_reproduces_the_run():
    ref = _exp(batch_size=32, momentum=0.9, data="circles")
    tl = Timeline(capacity=8, keep_recent=2)
    tl.record(ref.session)
    params = {0: ref.network.params.copy()}
    for i in range(1, 301):
        ref.session.run(1)
        params[i] = ref.network.params.copy()
        if i % 25 == 0:
            tl.record(ref.session)
    assert len(tl) <= 8 and tl.first == 0  # thinned, the start kept
    for it in (0, 1, 26, 137, 299, 300):
        state = tl.state_at(ref.session, it)
        assert state["iteration"] == it
        assert np.array_equal(state["params"], params[it]), it
    assert ref.session.iteration == 300  # the live session was not touched


def test_replay_uses_the_settings_in_force_at_the_checkpoint():
    e = _exp()
    tl = Timeline()
    tl.record(e.session)
    e.session.run(50)
    mid = e.network.params.copy()
    from nnviz.core.training import TrainConfig

    e.session.reconfigure(TrainConfig(lr=0.2))
    tl.record(e.session)
    e.session.run(50)
    assert np.array_equal(tl.state_at(e.session, 50)["params"], mid)
    again = tl.state_at(e.session, 100)
    assert np.array_equal(again["params"], e.network.params)


def test_truncate_and_memory_bound():
    e = _exp()
    tl = Timeline(capacity=50, keep_recent=10)
    for _ in range(500):
        e.session.run(1)
        tl.record(e.session)
    assert len(tl) <= 50
    assert tl.iterations[-10:] == list(range(491, 501))
    tl.truncate(300)
    assert max(tl.iterations) <= 300
    with pytest.raises(ValueError, match="before the first"):
        Timeline().state_at(e.session, 3)


def test_the_memory_cap_holds_for_a_big_network():
    """Each state here is ~0.5 MB; a 4 MB cap must hold while stepping, and replay stays exact."""
    from nnviz.core.experiment import Experiment, Settings
    from nnviz.core.timeline import state_bytes

    exp = Experiment(Settings(hidden=(200, 150), iterations=100))
    tl = Timeline(max_bytes=4 * 2**20)
    one = state_bytes(exp.session.get_state())
    assert one > 400_000
    tl.record(exp.session)
    for _ in range(60):
        exp.session.run(1)
        tl.record(exp.session)
        assert len(tl) * one <= 4 * 2**20
    assert tl.first == 0 and tl.iterations[-1] == 60
    ref = Experiment(Settings(hidden=(200, 150), iterations=100))
    ref.session.run(37)
    state = tl.state_at(exp.session, 37)
    assert np.array_equal(state["params"], ref.session.get_state()["params"])


@pytest.mark.parametrize("capacity,keep_recent,max_bytes", [(4, 2, 2**30), (3, 1, 2**30), (6, 2, 2**30),
                                                             (50, 10, 1)])  # max_bytes 1: two states fit
def test_thinning_keeps_every_state_a_replay_needs(capacity, keep_recent, max_bytes):
    """Training in short runs with the learning rate changed now and then (each change an anchor:
    the run does not follow from the state before), under tight capacities.  After every record
    the first state, the newest and every anchor are kept, and at the end every iteration
    replays to the weights the run had, bit for bit."""
    from dataclasses import replace

    rng = np.random.default_rng(capacity)
    e = _exp(hidden=(4,))
    tl = Timeline(capacity=capacity, max_bytes=max_bytes, keep_recent=keep_recent)
    tl.record(e.session)
    params, anchors = {0: e.network.params.copy()}, []
    for _ in range(40):
        if rng.random() < 0.3:
            e.session.reconfigure(replace(e.session.config, lr=float(rng.choice([0.01, 0.05, 0.3]))))
            tl.record(e.session, anchor=True)
            anchors.append(e.session.iteration)
        for _ in range(int(rng.integers(1, 4))):
            e.session.run(1)
            params[e.session.iteration] = e.network.params.copy()
        tl.record(e.session)
        kept = tl.iterations
        assert kept[0] == 0 and kept[-1] == e.session.iteration
        assert set(anchors) <= set(kept), (anchors, kept)
        # and at most the capacity, unless the anchors (with the first and newest) are more
        assert len(kept) <= max(capacity if max_bytes > 1 else 2, len(anchors) + 2), (anchors, kept)
    assert len(anchors) >= 5
    for it, want in params.items():
        assert np.array_equal(tl.state_at(e.session, it)["params"], want), it
