"""Learning-rate schedules, each defined once: its numbers, their bounds and its rate.

A schedule is written as text, "KIND" or "KIND:NUMBER[:NUMBER]" ("constant", "step:0.5:10000",
"exp:0.9999", "inv:0.001"); ``parse_schedule`` checks it and ``schedule_rates`` gives the
rate of any iteration, a pure function of the iteration number (in float64, vectorised), so a
replay uses the same rates bit for bit.  Both engines take their rates from here (the numba
kernel gets them as an array).  A schedule only lowers the rate (a higher one is --lr): a
factor above 1 would grow it without bound, to an overflow.  ``register`` adds one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

MAX_INV_K = 1000.0  # inv:K above it divides the rate by more than a thousand after one iteration
MAX_STEP_EVERY = 10**15  # iterations between two steps: experiment.MAX_ITERATIONS
_TINY = float(np.finfo(np.float64).tiny)  # the smallest positive normal float64


@dataclass(frozen=True)
class Schedule:
    """A named schedule: ``usage`` (how it is written), ``example``, ``formula`` (the rate of
    the update made after t iterations), ``check(numbers, text) -> (a, b)`` (its numbers, or a
    ValueError of one line) and ``rates(lr, a, b, t)`` (vectorised over t, in float64)."""

    name: str
    usage: str
    example: str
    formula: str
    check: Callable[[list[float], str], tuple[float, float]]
    rates: Callable[[float, float, float, np.ndarray], np.ndarray]

    @property
    def count(self) -> int:
        """How many numbers follow the name."""
        return self.usage.count(":")


def _check_constant(nums: list[float], text: str) -> tuple[float, float]:
    return 0.0, 0.0


def _check_step(nums: list[float], text: str) -> tuple[float, float]:
    # the smallest factors are those of a positive normal float
    factor, every = nums
    if not (_TINY <= factor <= 1) or every != int(every) or not (1 <= every <= MAX_STEP_EVERY):
        raise ValueError(f"step:FACTOR:EVERY needs 0 < FACTOR <= 1 and EVERY a whole number of iterations "
                         f"from 1 to 10^15 (got {text!r})")
    return factor, every


def _check_exp(nums: list[float], text: str) -> tuple[float, float]:
    if not (_TINY <= nums[0] <= 1):
        raise ValueError(f"exp:GAMMA needs 0 < GAMMA <= 1 (got {text!r})")
    return nums[0], 0.0


def _check_inv(nums: list[float], text: str) -> tuple[float, float]:
    if not (0 <= nums[0] <= MAX_INV_K):
        raise ValueError(f"inv:K needs 0 <= K <= {MAX_INV_K:g} (got {text!r})")
    return nums[0], 0.0


SCHEDULES: dict[str, Schedule] = {}


def register(schedule: Schedule) -> Schedule:
    """Make ``schedule`` a choice, by its name."""
    SCHEDULES[schedule.name] = schedule
    return schedule


register(Schedule("constant", "constant", "", "lr", _check_constant,
                  lambda lr, a, b, t: np.full(t.shape, float(lr))))
register(Schedule("step", "step:FACTOR:EVERY", "step:0.5:10000", "lr * f ** floor(t / N)", _check_step,
                  lambda lr, a, b, t: lr * np.power(a, np.floor(t / b))))
register(Schedule("exp", "exp:GAMMA", "exp:0.9999", "lr * g ** t", _check_exp,
                  lambda lr, a, b, t: lr * np.power(a, t)))
register(Schedule("inv", "inv:K", "inv:0.001", "lr / (1 + k t)", _check_inv,
                  lambda lr, a, b, t: lr / (1.0 + a * t)))


def _usage() -> str:
    forms = [s.usage for s in SCHEDULES.values()]
    examples = [s.example for s in SCHEDULES.values() if s.example]
    return f"{', '.join(forms[:-1])} or {forms[-1]} (e.g. {', '.join(examples)})"


def parse_schedule(text: str) -> tuple[str, float, float]:
    """A learning-rate schedule as (kind, a, b): "constant", "step:FACTOR:EVERY",
    "exp:GAMMA" or "inv:K" (see ``schedule_rates``); ValueError of one line otherwise."""
    if not isinstance(text, str):
        raise ValueError(f"the learning-rate schedule must be text like step:0.5:10000 (got {text!r})")
    parts = [p.strip() for p in text.strip().split(":")]
    kind = parts[0].lower()
    spec = SCHEDULES.get(kind)
    if spec is None:
        raise ValueError(f"unknown learning-rate schedule {text!r} (choose {_usage()})")
    if len(parts) != spec.count + 1:
        raise ValueError(f"malformed learning-rate schedule {text!r} (write {_usage()})")
    try:
        nums = [float(p) for p in parts[1:]]
    except ValueError:
        raise ValueError(f"malformed learning-rate schedule {text!r}: not a number (write {_usage()})") from None
    if not all(math.isfinite(v) for v in nums):
        raise ValueError(f"malformed learning-rate schedule {text!r}: the numbers must be finite")
    a, b = spec.check(nums, text)
    return kind, a, b


def schedule_rates(lr: float, schedule: str, t: np.ndarray) -> np.ndarray:
    """The learning rate of the update made after t iterations (t = 0 for the first one):

    constant          lr
    step:f:N          lr * f ** floor(t / N)
    exp:g             lr * g ** t
    inv:k             lr / (1 + k t)

    A pure function of the iteration number (in float64, vectorised), so a replay uses the
    same rates bit for bit; both engines take their rates from here.  Within parse_schedule's
    bounds a rate is finite and at most lr; a power that underflows is 0, silently."""
    kind, a, b = parse_schedule(schedule)
    t = np.asarray(t, dtype=np.float64)
    with np.errstate(all="ignore"):
        return SCHEDULES[kind].rates(lr, a, b, t)
