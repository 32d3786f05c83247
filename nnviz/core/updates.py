"""How a gradient becomes a weight change: the penalties and the update rules, defined once.

``g`` is always -dJ/dW, the direction that lowers the objective (the post's sign: the
gradient input^T delta = -dC/dW, minus the penalty's gradient when l1 / l2 are set), for
all the weights at once as one flat vector (network.py's ``params``).

* ``penalised``: g = input^T delta - (l2 W + l1 sign(W)) * mask, the bias rows (mask 0) not
  penalised: -dJ/dW of J = C + l2/2 ||W||^2 + l1 ||W||_1.
* ``largest_gradient``: max |dJ/dw|, neuralnet's reached.threshold.
* an ``UpdateRule`` writes the weight change of one update into ``step`` (the caller adds it
  to the weights): ``gd`` is the post's W += lr g, with heavy-ball momentum; ``rprop+`` and
  ``rprop-`` are R neuralnet's plus() and minus(), with its constants.  A rule names the
  arrays it keeps between updates (``memory``: the session keeps them, saves and restores
  them with its state) and what it goes with (a learning rate and schedule, momentum,
  mini-batches).  ``register`` adds one, as scikit-learn's ``_stochastic_optimizers`` has a
  small class per optimiser.

The NumPy engine calls these; the numba kernel's ``penalise``, ``max_abs`` and ``update`` are
held to them value by value, to the last bit (tests/core/test_definitions.py).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class TrainConfig(Protocol):
    """What a rule reads of config.TrainConfig (named here: config.py imports this module)."""

    @property
    def lr(self) -> float: ...

    @property
    def momentum(self) -> float: ...

    @property
    def l2(self) -> float: ...

# R neuralnet's rprop constants (its learningrate, learningrate.factor, learningrate.limit)
RPROP_INITIAL_STEP = 0.1
RPROP_MIN_STEP = 1e-10
RPROP_MAX_STEP = 0.1
RPROP_MINUS = 0.5
RPROP_PLUS = 1.2


# -- the penalty and the threshold's measure -------------------------------------------------

def penalty_gradient(params: np.ndarray, l1: float, l2: float, mask: np.ndarray, out: np.ndarray,
                     tmp: np.ndarray) -> np.ndarray:
    """out = (l2 W + l1 sign(W)) * mask, the gradient of l2/2 ||W||^2 + l1 ||W||_1 with the
    bias rows (mask 0) left out; tmp is scratch of params' size.  Returns out."""
    np.multiply(params, l2, out=out)
    np.sign(params, out=tmp)
    tmp *= l1
    out += tmp
    out *= mask
    return out


def penalised(grad: np.ndarray, params: np.ndarray, l1: float, l2: float, mask: np.ndarray, out: np.ndarray,
              tmp: np.ndarray) -> np.ndarray:
    """out = grad - (l2 W + l1 sign(W)) * mask: -dJ/dW of the penalised objective from the
    data's grad = input^T delta = -dC/dW.  Returns out."""
    penalty_gradient(params, l1, l2, mask, out, tmp)
    np.subtract(grad, out, out=out)
    return out


def largest_gradient(g: np.ndarray) -> float:
    """max |g_i| (neuralnet's reached.threshold: training stops before an update when it is
    below the threshold)."""
    return float(max(g.max(), -g.min()))


# -- the update rules --------------------------------------------------------------------------

class UpdateRule:
    """One way of turning g = -dJ/dW into a weight change (see the module doc).

    ``memory``: (name, start value) of each array of the weights' size the rule keeps between
    updates; ``uses_lr``: it takes the learning rate (and so a schedule); ``momentum``: it
    takes the momentum setting; ``mini_batches``: it can update on mini-batches."""

    name = ""
    label = ""  # the name in messages when it is not ``name`` ("rprop" for both rprops)
    memory: tuple[tuple[str, float], ...] = ()
    uses_lr = True
    momentum = False
    mini_batches = True

    def __init__(self) -> None:
        self.label = self.label or self.name

    def step(self, g: np.ndarray, lr: float, config: TrainConfig, memory: dict[str, np.ndarray],
             step: np.ndarray) -> None:
        """The change of the weights for g (= -dJ/dW) at rate lr into ``step``; the rule's
        memory arrays are updated in place."""
        raise NotImplementedError

    def check(self, config: TrainConfig) -> None:
        """A ValueError of one line when ``config`` cannot work with this rule (beyond the
        general checks of TrainConfig)."""

    def forget(self, memory: dict[str, np.ndarray], old: TrainConfig, new: TrainConfig) -> None:
        """Adjust the memory when training goes on with ``new`` settings of the same rule."""


class GradientDescent(UpdateRule):
    """The post's update, step = lr g; with momentum m the velocity keeps a share of the last
    change: v = m v + lr g, step = v."""

    name = "gd"
    memory = (("velocity", 0.0),)
    momentum = True

    def step(self, g, lr, config, memory, step) -> None:
        np.multiply(g, lr, out=step)
        if config.momentum:
            velocity = memory["velocity"]
            velocity *= config.momentum
            velocity += step
            np.copyto(step, velocity)

    def check(self, config) -> None:
        # gradient descent multiplies each weight by 1 - lr l2 an update (heavy-ball momentum m
        # allows up to 2 (1 + m)): beyond, the penalty alone makes the weights swing ever wider
        if config.lr * config.l2 >= 2 * (1 + config.momentum):
            raise ValueError(f"with gradient descent lr * L2 must be below {2 * (1 + config.momentum):g} "
                             f"(got {config.lr:g} * {config.l2:g}): lower the L2 rate or the learning rate")

    def forget(self, memory, old, new) -> None:
        if new.momentum == 0:  # the post's plain update: the old velocity is gone
            memory["velocity"].fill(0.0)


class RpropPlus(UpdateRule):
    """neuralnet's plus(): a step per weight, grown by 1.2 while dE/dw keeps its sign (at most
    0.1), and on a sign flip the last step undone (weight backtracking), the step halved (at
    least 1e-10) and the sign forgotten.  dE/dw = -g."""

    name = "rprop+"
    label = "rprop"
    memory = (("rprop_steps", RPROP_INITIAL_STEP), ("rprop_old", 0.0))
    uses_lr = False
    mini_batches = False

    def step(self, g, lr, config, memory, step) -> None:
        old, lr_w = memory["rprop_old"], memory["rprop_steps"]
        g_sign = -np.sign(g)
        prod = old * g_sign
        pos, neg = prod > 0, prod < 0
        np.copyto(lr_w, np.minimum(lr_w * RPROP_PLUS, RPROP_MAX_STEP), where=pos)
        np.copyto(step, np.where(neg, old * lr_w, -g_sign * lr_w))
        np.copyto(lr_w, np.maximum(lr_w * RPROP_MINUS, RPROP_MIN_STEP), where=neg)
        np.copyto(old, np.where(neg, 0.0, g_sign))


class RpropMinus(UpdateRule):
    """neuralnet's minus(): as rprop+ without the backtracking, the gradient itself kept."""

    name = "rprop-"
    label = "rprop"
    memory = (("rprop_steps", RPROP_INITIAL_STEP), ("rprop_old", 0.0))
    uses_lr = False
    mini_batches = False

    def step(self, g, lr, config, memory, step) -> None:
        old, lr_w = memory["rprop_old"], memory["rprop_steps"]
        dE = -g
        prod = old * dE
        np.copyto(lr_w, np.minimum(lr_w * RPROP_PLUS, RPROP_MAX_STEP), where=prod > 0)
        np.copyto(lr_w, np.maximum(lr_w * RPROP_MINUS, RPROP_MIN_STEP), where=prod < 0)
        np.multiply(np.sign(dE), lr_w, out=step)
        np.negative(step, out=step)
        np.copyto(old, dE)


UPDATE_RULES: dict[str, UpdateRule] = {}
ALGORITHMS: tuple[str, ...] = ()  # the choices, in the order shown


def register(rule: UpdateRule) -> UpdateRule:
    """Make ``rule`` a choice of --algorithm, by its name."""
    global ALGORITHMS
    UPDATE_RULES[rule.name] = rule
    if rule.name not in ALGORITHMS:
        ALGORITHMS = (*ALGORITHMS, rule.name)
    return rule


register(GradientDescent())
register(RpropPlus())
register(RpropMinus())


def memory_spec() -> dict[str, float]:
    """Every memory array of the registered rules, by name, with its start value (a session
    keeps them all, so that a change of rule and a saved state lose nothing)."""
    spec: dict[str, float] = {}
    for rule in UPDATE_RULES.values():
        for name, start in rule.memory:
            if spec.setdefault(name, start) != start:
                raise ValueError(f"the memory {name!r} of {rule.name} starts at {start}, another rule's at "
                                 f"{spec[name]}")
    return spec
