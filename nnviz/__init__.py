"""nnviz: watch a neural network built from scratch in NumPy learn.

The Python API (``nnviz.api``), loaded on first use so that ``import nnviz`` stays light
(no NumPy work, no Qt, no numba):

    run = nnviz.fit(data="iris", hidden=(6, 6), lr=0.02)   # or fit(X, y, ...), fit(df, target="y")
    run.predict(X); run.save("iris.json"); nnviz.load("iris.json")
    nnviz.show(run)                                        # the window on the run

``nnviz.sklearn`` has scikit-learn estimators (``pip install 'nnviz[sklearn]'``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import logging

__version__ = "0.1.0"

__all__ = ["Film", "Model", "Picture", "Trainer", "__version__", "dataset", "fit", "load", "predict", "save",
           "settings", "show"]
_API = frozenset(__all__) - {"__version__"}

if TYPE_CHECKING:  # for type checkers and editors; at run time __getattr__ loads them
    from .api import Film, Model, Picture, Trainer, dataset, fit, load, predict, save, settings, show


def __getattr__(name: str):
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'nnviz' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])


# a library's loggers stay silent until an entry point says where they go (nnviz.logs): without
# this, Python's last-resort handler would print a logged traceback under the one-line error
logging.getLogger(__name__).addHandler(logging.NullHandler())
