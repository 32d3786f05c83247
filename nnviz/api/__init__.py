"""The Python API: train from arrays, a DataFrame, a CSV file or a built-in, predict, save,
load and show, on the same core as the command line.

    import nnviz
    run = nnviz.fit(data="iris", hidden=(6, 6), lr=0.02)        # the post's iris run
    run.predict(X)                                               # outputs in the targets' units
    run.save("iris.json"); model = nnviz.load("iris.json")       # every format of nnviz.io
    nnviz.show(run)                                              # the window, on this run

``fit`` builds an ``Experiment`` from ``Settings`` whose keyword arguments are the command
line's option names (``hidden``, ``activation``, ``lr``, ``batch_size`` ...) and trains it with
``sweep.train_headless``, the runner ``nnviz train`` uses: the same settings give the same
weights, bit for bit.  Data from arrays is encoded as a CSV file would be (text labels are
classes in sorted order, a numeric target of only 0 and 1 is binary, other numbers are
regression unless ``classify=True``).

Nothing here imports Qt: ``show`` and the notebook pictures (``_repr_svg_``, ``_repr_png_``,
``film``) import ``nnviz.gui`` when they are called.  Not here: training in the background
of a script (``show`` does that in the window).

The modules: inputs.py (``dataset`` and ``settings``: rows from arrays and DataFrames, settings
from keyword arguments), runs.py (``Model``, ``Trainer``, ``fit``, ``load``, ``save``,
``predict``, ``show``), pictures.py (``Picture``, ``Film``: what Jupyter shows).  Every name is
here, as ``nnviz.api.fit`` and ``nnviz.fit``.
"""

from __future__ import annotations

from .inputs import ARRAY_DATA, FRAME_DATA, SETTINGS, dataset, settings
from .pictures import Film, Picture
from .runs import Model, Trainer, fit, load, predict, save, show

__all__ = ["ARRAY_DATA", "FRAME_DATA", "SETTINGS", "Film", "Model", "Picture", "Trainer", "dataset", "fit", "load",
           "predict", "save", "settings", "show"]
