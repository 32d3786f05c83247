"""How to train: ``TrainConfig``, checked against what can work, in one line per refusal.

The learning rate, the update rule (``updates.py``), momentum, the batch size, neuralnet's
threshold, the penalty rates and the learning-rate schedule (``schedules.py``).  What each
rule takes comes from the rule itself (``UpdateRule.uses_lr``, ``momentum``,
``mini_batches``, ``check``); nothing is computed here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import updates
from .schedules import parse_schedule

# A penalty rate above MAX_PENALTY swamps any data gradient (and l2 W would overflow before
# the weights do).
MAX_PENALTY = 1000.0


@dataclass(frozen=True)
class TrainConfig:
    """How to train.  ``threshold`` is neuralnet's: stop when max |dJ/dw| < threshold, J being the
    penalised objective when l1 / l2 are set.  ``l1``, ``l2``: penalty rates on every weight but
    the bias rows; ``lr_schedule``: see ``schedules.schedule_rates``."""

    lr: float = 0.02
    algorithm: str = "gd"
    momentum: float = 0.0
    batch_size: int | None = None
    threshold: float | None = None
    l1: float = 0.0
    l2: float = 0.0
    lr_schedule: str = "constant"

    @property
    def regularised(self) -> bool:
        return bool(self.l1 or self.l2)

    @property
    def scheduled(self) -> bool:
        return parse_schedule(self.lr_schedule)[0] != "constant"

    @property
    def rule(self) -> updates.UpdateRule:
        """The update rule of ``algorithm``."""
        return updates.UPDATE_RULES[self.algorithm]

    def __post_init__(self) -> None:
        for name in ("l1", "l2"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
                raise ValueError(f"the {name.upper()} rate must be a number of at least 0 (got {v})")
            if v > MAX_PENALTY:
                raise ValueError(f"the {name.upper()} rate must be between 0 and {MAX_PENALTY:g} (got {v:g})")
        parse_schedule(self.lr_schedule)
        if self.algorithm not in updates.UPDATE_RULES:
            raise ValueError(f"unknown algorithm {self.algorithm!r} (choose from {', '.join(updates.ALGORITHMS)})")
        if not (math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"the learning rate must be a positive number (got {self.lr})")
        if not (0.0 <= self.momentum < 1.0):
            raise ValueError(f"momentum must be in [0, 1) (got {self.momentum})")
        if self.batch_size is not None and self.batch_size < 1:
            raise ValueError(f"the batch size must be at least 1 (got {self.batch_size})")
        if self.threshold is not None and not (self.threshold > 0):
            raise ValueError(f"the threshold must be a positive number (got {self.threshold})")
        rule = self.rule
        if self.momentum and not rule.momentum or self.batch_size and not rule.mini_batches:
            if not rule.momentum and not rule.mini_batches:
                raise ValueError(f"momentum and mini-batches go with --algorithm {_takers('mini_batches')} only "
                                 f"({rule.label} is full-batch)")
            what = "momentum" if self.momentum and not rule.momentum else "mini_batches"
            raise ValueError(f"{what.replace('_', '-')} go with --algorithm {_takers(what)} only "
                             f"({rule.label} takes none)")
        if not rule.uses_lr and self.scheduled:
            raise ValueError(f"a learning-rate schedule goes with --algorithm {_takers('uses_lr')} only "
                             f"({rule.label} has no learning rate)")
        rule.check(self)


def _takers(flag: str) -> str:
    """The rules that take ``flag`` (an UpdateRule attribute), for a message."""
    return " or ".join(name for name, rule in updates.UPDATE_RULES.items() if getattr(rule, flag))
