"""The README's pictures of *Inside training*, made headless with the window's own runner and
figures (``python benchmarks/pictures_inside_training.py [--out assets]``):

* ``gradient-flow.svg``: a 6-layer sigmoid network against the same with relu on the spiral,
  side by side (||dC/dW||, mean |delta| and the update ratio per layer, recorded every 100
  iterations as the window records them at its snapshots);
* ``hidden-space.svg``: the spiral's rows and input grid in a two-neuron hidden layer at three
  iterations;
* ``iris-landscape.svg``: ``nnviz landscape`` of the post's iris run (50,000 iterations), PCA
  directions, with its path.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from nnviz import cli
from nnviz.core.dynamics_figures import gradient_flow, hidden_space_panels, side_by_side
from nnviz.core.experiment import Settings
from nnviz.core.runner import Runner


class _Last:
    def __init__(self):
        self.last = None

    def on_context(self, ctx):
        pass

    def on_snapshot(self, snap):
        self.last = snap

    def on_error(self, message):
        print(message, file=sys.stderr)


def run(settings: Settings, needs: set[str], stops: list[int]):
    """A runner stepped to each of ``stops`` (snapshots there), the last snapshot at each."""
    rec = _Last()
    r = Runner(rec)
    r.configure(settings)
    r.set_view(needs)
    out = []
    for it in stops:
        if it > r.iteration:
            r.step(it - r.iteration)
            while r.busy:
                r.advance()
        out.append(rec.last)
    return out


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--out", default="assets")
    args = p.parse_args()
    out = Path(args.out)
    from nnviz.gui import render

    # gradient flow: sigmoid against relu, the same 2-8-8-8-8-8-8-2 network, seed and rate
    scenes = []
    for act in ("sigmoid", "relu"):
        s = Settings(data="spiral", hidden=(8,) * 6, activation=(act,), lr=0.003, seed=2, iterations=20_000)
        snap = run(s, {"dynamics"}, list(range(100, 20_001, 100)))[-1]
        d = snap.dynamics
        scenes.append(gradient_flow(d.history, d.activations, size=(520, 820), vertical=True,
                                    subtitle=f"{act}: accuracy {snap.accuracy:.0%} after 20,000 iterations",
                                    panels=("delta", "grad", "ratio")))
    render.save(side_by_side(*scenes, gap=24), out / "gradient-flow.svg")

    # the hidden space: a 2-16-16-2-2 tanh network, its third hidden layer's two neurons
    s = Settings(data="spiral", hidden=(16, 16, 2), activation=("tanh",), seed=1, iterations=2000)
    snaps = run(s, {"hidden_space:3:start"}, [0, 250, 2000])
    frames = [(sn.iteration, sn.dynamics.hidden) for sn in snaps]
    render.save(hidden_space_panels(frames, size=(960, 370), same_range=True), out / "hidden-space.svg")

    # the iris landscape of the post's run
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "iris.json"
        cli.main(["train", "--data", "iris", "--iterations", "50000", "--export", str(model), "--quiet"])
        cli.main(["landscape", "--model", str(model), "--out", str(out / "iris-landscape.svg")])
    return 0


if __name__ == "__main__":
    sys.exit(main())
