"""What new settings or a new seed do to a run's experiment, as functions.  No Qt.

``keeps_weights`` says when new settings go on from the current weights (only training
settings changed: context.same_network); ``retrain`` then applies them to the experiment in
place.  Otherwise ``rebuilt`` makes the new experiment: on the current rows when the data
settings are the same (an edited data set is split anew when the test fraction changed), on
the given data set or network otherwise.  ``reseeded`` is Reset: the seed's random weights,
the same settings and data.  Each raises a one-line ValueError for settings that cannot
work, before anything changed.  What the runner does next (a new run, a snapshot) is its own.
"""

from __future__ import annotations

from dataclasses import replace

from .context import same_data, same_network
from .data import Dataset
from .experiment import Experiment, Settings
from .model import Model


def keeps_weights(exp: Experiment | None, settings: Settings, dataset: Dataset | None = None,
                  init: Model | None = None) -> bool:
    """The new settings go on from ``exp``'s weights: no new data or network is given and only
    training settings differ."""
    return exp is not None and dataset is None and init is None and same_network(exp.settings, settings)


def rebuilt(exp: Experiment | None, settings: Settings, dataset: Dataset | None = None, init: Model | None = None,
            interruptible: bool = False, leave_cores: int = 0) -> Experiment:
    """A new experiment for ``settings``: on ``dataset`` if given, else on ``exp``'s rows when the
    data settings are the same (an edited data set split anew by a new test fraction), else on
    the data the settings name; with ``init``'s network if given, else the seed's."""
    keep = exp.dataset if (dataset is None and exp is not None and same_data(exp.settings, settings)) else dataset
    if (keep is not None and keep.test_rows is not None and exp is not None
            and settings.test_fraction != exp.settings.test_fraction):
        keep = replace(keep, test_rows=None)  # edited data, split anew by the new fraction
    return Experiment(settings, dataset=keep, init=init, interruptible=interruptible, leave_cores=leave_cores)


def reseeded(exp: Experiment, interruptible: bool = False, leave_cores: int = 0) -> Experiment:
    """New random weights (the seed's), the same settings and data."""
    return Experiment(exp.settings, dataset=exp.dataset, interruptible=interruptible, leave_cores=leave_cores)


def retrain(exp: Experiment, settings: Settings) -> None:
    """Go on from ``exp``'s current state with new training settings (``keeps_weights``): the
    engine switched if asked (at the same state), the session reconfigured."""
    config = settings.train_config(exp.learning_rate(settings))
    if settings.iterations < 0:
        raise ValueError(f"the number of iterations cannot be negative (got {settings.iterations})")
    if (settings.engine, settings.dtype) != (exp.settings.engine, exp.settings.dtype):
        exp.switch_engine(settings.engine, settings.dtype)
        exp.session.warm_up()
    exp.session.reconfigure(config)
    exp.config = config
    exp.settings = settings
