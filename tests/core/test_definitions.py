"""The numba kernel held to the one definition of the maths, primitive by primitive.

activations.py, losses.py and updates.py define each activation with its derivative, each
loss with its output delta, the penalty, the threshold's measure and each update rule, in
NumPy; the NumPy engine and the step trace call them.  The kernel has its own compiled loops.
Here each loop meets its definition on random inputs (zeros of both signs, huge values, inf
and NaN among them): in float64 to the last bit (the sign of a zero included) wherever the
operations are the same, and within a stated number of ulps where the kernel's exp is its
own (sigmoid, softmax) or libm's tanh meets NumPy's.  A kernel branch that drifts from its
definition, or a definition changed without the kernel, turns this red.
"""

import numpy as np
import pytest

from nnviz.core import activations, kernel, losses, updates

pytestmark = pytest.mark.skipif(not kernel.AVAILABLE, reason="numba is not installed")

ELEMENTWISE = [name for name in kernel.ACTIVATION_CODES if name != "softmax"]
ULPS = {"sigmoid": 3, "tanh": 2}  # the kernel's exp (1 ulp) through 1 / (1 + e); libm's tanh against NumPy's


def _values(n, seed, dtype=np.float64):
    """Random pre-activations with the awkward cases in: zeros of both signs, tiny and huge
    values, the limits of exp, inf and NaN."""
    rng = np.random.default_rng(seed)
    a = np.concatenate([rng.normal(0, 3, n), rng.uniform(-50, 50, n // 4),
                        [0.0, -0.0, 1e-300, -1e-300, 700.0, -700.0, 710.0, -746.0, 1e6, -1e6,
                         np.inf, -np.inf, np.nan]])
    return a.astype(dtype)


def _same_bits(got, want):
    """Equal to the last bit: values, NaN where NaN, and the sign of every zero."""
    np.testing.assert_array_equal(got, want)
    assert np.array_equal(np.signbit(got), np.signbit(want))


def _ulps(got, want):
    """Largest distance in units in the last place, where both are finite and not NaN."""
    ok = np.isfinite(want) & np.isfinite(got)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    assert np.array_equal(got[~ok & ~np.isnan(want)], want[~ok & ~np.isnan(want)])  # inf exactly
    if not ok.any():
        return 0.0
    return float((np.abs(got[ok] - want[ok]) / np.spacing(np.abs(want[ok]).astype(want.dtype))).max())


def test_the_kernel_knows_every_built_in_definition_and_only_those():
    assert set(kernel.ACTIVATION_CODES) == set(activations.ACTIVATIONS)
    assert set(kernel.ALGORITHM_CODES) == set(updates.UPDATE_RULES)
    assert set(kernel.LOSSES) == set(losses.LOSS_FUNCTIONS)
    arch = ("tanh", "relu", "softmax")
    assert kernel.refusal(arch, "ce", "rprop-") == ""
    for refused, why in [(("softsign", "sigmoid"), "no softsign activation"), (("sigmoid",), "no adam update rule")]:
        text = kernel.refusal(refused, "sse", "adam" if refused == ("sigmoid",) else "gd")
        assert why in text and "\n" not in text


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_each_activation_is_its_definition(name):
    code, act = kernel.ACTIVATION_CODES[name], activations.ACTIVATIONS[name]
    a = _values(5000, 1)
    got, want = np.empty_like(a), np.empty_like(a)
    kernel._activate(code, a, got)
    with activations.quiet_fp():
        act.forward(a, want, np.empty_like(a))
    if name in ULPS:
        assert _ulps(got, want) <= ULPS[name]
    else:
        _same_bits(got, want)


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_each_derivative_is_its_definition(name, dtype):
    """f'(A) from A and H = f(A), alone (the output layer) and fused with the hidden delta's
    product d *= f'(A), to the last bit in float64 and in float32."""
    code, act = kernel.ACTIVATION_CODES[name], activations.ACTIVATIONS[name]
    a = _values(5000, 2, dtype)
    h = np.empty_like(a)
    with activations.quiet_fp():
        act.forward(a, h, np.empty_like(a))
        want = np.empty_like(a)
        act.deriv(a, h, want)
        d0 = np.random.default_rng(3).normal(size=a.size).astype(dtype)
        want_d = d0 * want
    got = np.empty_like(a)
    kernel._derive(code, a, h, got)
    f, d = np.empty_like(a), d0.copy()
    kernel._derive_times(code, a, h, f, d)
    _same_bits(got, want)
    _same_bits(f, want)
    _same_bits(d, want_d)


def test_softmax_is_its_definition():
    rng = np.random.default_rng(4)
    A = np.concatenate([rng.normal(0, 5, (3000, 4)), [[1e3, -1e3, 0.0, 5.0], [0.0, 0.0, 0.0, 0.0]]])
    want = np.empty_like(A)
    with activations.quiet_fp():
        activations.ACTIVATIONS["softmax"].forward(A, want, np.empty_like(A))
    HT = np.empty_like(A.T)
    kernel._softmax(np.ascontiguousarray(A.T), HT)
    assert _ulps(HT.T, want) <= 4


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_error_and_the_output_delta_are_the_losses(dtype):
    rng = np.random.default_rng(5)
    y, h, fp = (rng.normal(size=999).astype(dtype) for _ in range(3))
    e = np.empty_like(y)
    kernel._error(y, h, e)
    _same_bits(e, np.subtract(y, h))
    for loss in losses.LOSS_FUNCTIONS.values():
        if not loss.delta_uses_fprime:
            continue  # its output delta is y - yhat itself: the error above
        want, got = np.empty_like(e), np.empty_like(e)
        loss.output_delta(e, fp, want)
        kernel._output_delta(e, fp, got)
        _same_bits(got, want)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_penalty_and_the_thresholds_measure_are_their_definitions(dtype):
    rng = np.random.default_rng(6)
    w = np.concatenate([rng.normal(size=2000), [0.0, -0.0, np.inf, -np.inf, np.nan]]).astype(dtype)
    grad = rng.normal(size=w.size).astype(dtype)
    mask = (rng.uniform(size=w.size) > 0.2).astype(dtype)
    for l1, l2 in [(0.0, 0.3), (0.01, 0.0), (0.02, 0.07)]:
        want, got = np.empty_like(w), np.empty_like(w)
        with activations.quiet_fp():
            updates.penalised(grad, w, l1, l2, mask, want, np.empty_like(w))
        kernel.penalise(w, grad, mask, dtype(l1), dtype(l2), got)
        _same_bits(got, want)
    for g in (grad, -np.abs(grad), np.append(grad, np.nan)):
        assert kernel.max_abs(g) == updates.largest_gradient(g) or np.isnan(updates.largest_gradient(g))
        assert np.isnan(kernel.max_abs(g)) == np.isnan(updates.largest_gradient(g))


class _Config:
    def __init__(self, lr=0.02, momentum=0.0, l1=0.0, l2=0.0):
        self.lr, self.momentum, self.l1, self.l2 = lr, momentum, l1, l2


RULES = [(name, m) for name in kernel.ALGORITHM_CODES for m in (0.0, 0.9) if updates.UPDATE_RULES[name].momentum or not m]


@pytest.mark.parametrize("name,momentum", RULES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_each_update_rule_is_its_definition(name, momentum, dtype):
    """Twelve updates in a row from random memory (rprop's signs and steps, a velocity) with
    gradients that keep, flip and zero their signs: the weights, the change and every memory
    array to the last bit."""
    rule = updates.UPDATE_RULES[name]
    rng = np.random.default_rng(7)
    P = 500
    cfg = _Config(lr=0.05, momentum=momentum)
    params = rng.normal(size=P).astype(dtype)
    memory = {"velocity": rng.normal(0, 0.01, P), "rprop_steps": rng.uniform(1e-10, 0.1, P),
              "rprop_old": rng.choice([-1.0, 0.0, 1.0], P) * rng.uniform(0.5, 2.0, P)}
    memory = {k: v.astype(dtype) for k, v in memory.items()}
    mine = ({k: v.copy() for k, v in memory.items()}, params.copy(), np.zeros(P, dtype))
    theirs = ({k: v.copy() for k, v in memory.items()}, params.copy(), np.zeros(P, dtype))
    hyper = np.array([cfg.lr, momentum, updates.RPROP_PLUS, updates.RPROP_MINUS, updates.RPROP_MAX_STEP,
                      updates.RPROP_MIN_STEP, 0.0, 0.0], dtype=dtype)
    g = rng.normal(size=P).astype(dtype)
    for _ in range(12):
        g = np.where(rng.uniform(size=P) < 0.3, -g, g)  # some signs flip
        g[rng.uniform(size=P) < 0.05] = 0.0
        mem, w, step = mine
        rule.step(g, cfg.lr, cfg, mem, step)
        w += step
        mem, w, step = theirs
        kernel.update(w, g, step, mem["velocity"], mem["rprop_steps"], mem["rprop_old"],
                      kernel.ALGORITHM_CODES[name], hyper)
        _same_bits(theirs[1], mine[1])
        _same_bits(theirs[2], mine[2])
        for key in memory:
            _same_bits(theirs[0][key], mine[0][key])
