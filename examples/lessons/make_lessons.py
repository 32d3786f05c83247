"""Write the example lessons of this folder: sessions (.nnviz) at iteration 0 that carry a title,
instructions (Markdown) and locked or hidden controls.  Regenerate them with

    python examples/lessons/make_lessons.py [FOLDER]

A teacher's own lesson is made the same way: settings, a ``Lesson``, and ``session.save``.
Open one with ``nnviz gui lesson.nnviz``, File > Open session, or by dropping it on the window.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from nnviz.core.experiment import Experiment, Settings
from nnviz.core.lesson import Lesson
from nnviz.io import session

# what a first course does not need; each lesson hides these
ADVANCED = ("test_fraction", "validation_fraction", "batch_size", "momentum", "threshold", "l1", "l2",
            "lr_schedule", "patience", "target", "classify")

IRIS = Lesson(
    "The post's iris run",
    """This is the run of the blog post *Deep Neural Network from Scratch in R*: Fisher's iris data,
two hidden layers of 6 sigmoid nodes, a learning rate of 0.02, 50,000 iterations, and the inputs
as they are (not standardised).

1. Press **Play** and watch the error plot. At about which iteration does the curve stop jumping
   up and down?
2. When training stops, read the accuracy in the bar at the top and the confusion matrix under
   **Predictions**. Which species is mistaken for which?
3. Press **Keep run** in the **Runs** tab, tick **standardise inputs** and train again. Both
   curves are on the plot now. What did scaling the inputs change?
4. Untick it again and try a learning rate of **0.005**. When does the curve settle now? The post
   thought its learning rate might be too high: is that the whole story?

The network's shape, its activation and the seed are locked for this exercise.""",
    lock=("data", "hidden", "activation", "output_activation", "loss", "algorithm", "seed"),
    hide=ADVANCED + ("noise", "features"),
)

XOR = Lesson(
    "XOR needs a hidden layer",
    """In the XOR data the orange points sit in two opposite corners and the blue ones in the other
two: no straight line can separate them.

1. The network has **no hidden layer**: it is a single logistic regression on x1 and x2. Press
   **Play** and watch the decision map beside the error plot. How many points end up right?
2. Press **Keep run** (Runs tab). Then give the network a hidden layer of **2** nodes (type `2`
   in *hidden layers*, or press the **+** at the left above the diagram) and train again.
3. Try **4** nodes. What is the smallest hidden layer that gets every point right? Compare the
   runs in the **Runs** tab.
4. Click a hidden node in the diagram: its map shows the line it draws. How do the hidden nodes'
   lines combine into the decision?

The data, the activation and the input features are locked.""",
    lock=("data", "features", "activation", "output_activation", "loss", "algorithm", "seed"),
    hide=ADVANCED,
)

SPIRAL = Lesson(
    "The spiral with feature toggles",
    """Two spirals wind around each other. The network has one hidden layer of 8 tanh nodes,
which is locked: you change only what goes **into** it.

1. Press **Play** with the raw inputs x1 and x2. How much of the spiral does the decision map
   get right after 50,000 iterations? (Drag the speed slider to *max* to go faster.)
2. Press **Keep run** (Runs tab). Tick **sin(x1)** and **sin(x2)** in the boxes beside the input
   nodes and train again.
3. Look at the input nodes' pictures: what does each feature add? Which other features help, and
   which ones do not?

Micro-step, Step N and Epoch are hidden here: this lesson is about whole runs.""",
    lock=("data", "hidden", "activation", "output_activation", "loss", "algorithm", "seed"),
    hide=ADVANCED + ("micro", "step_n", "epoch"),
)

LESSONS = (
    ("iris-post.nnviz", Settings(data="iris", hidden=(6, 6), lr=0.02, standardize=False), IRIS),
    ("xor-hidden-layer.nnviz", Settings(data="xor", hidden=(), iterations=20_000), XOR),
    ("spiral-features.nnviz", Settings(data="spiral", hidden=(8,), activation=("tanh",)), SPIRAL),
)


def write(folder: Path) -> list[Path]:
    """Write every lesson into ``folder``; returns their paths."""
    paths = []
    for name, settings, lesson in LESSONS:
        exp = Experiment(settings)
        path = folder / name
        session.save(path, settings, exp.dataset, exp.session.get_state(), np.zeros(0, dtype=np.int64),
                     np.zeros(0), lesson=lesson)
        paths.append(path)
    return paths


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent
    for p in write(out):
        print(f"wrote {p}")
