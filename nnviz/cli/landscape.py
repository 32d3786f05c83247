"""``nnviz landscape``: the training error on a 2-D slice of weight space around a model's weights,
with the training path (core/landscape.py), as JSON, a line of text and a contour map."""

from __future__ import annotations

import json

from .. import io as nnio
from .. import stopping
from ..core.files import refuse_own_input
from ..core.options import own_inputs
from .options import count, figure_size, note, number, positive_int, is_quiet


def add_parser(sub) -> None:
    la = sub.add_parser("landscape", help="the training error on a 2-D slice of weight space around a model's "
                                          "weights, with the training path (Li et al., 2018)")
    la.add_argument("--model", required=True, help="model file (.json, .npz) or session (.nnviz)")
    la.add_argument("--data", help="the training data: a built-in data set or a CSV file (default: the data the "
                                   "model's training record names)")
    la.add_argument("--directions", choices=("pca", "random"), default="pca",
                    help="pca: the first two principal components of the training path, replayed from the model's "
                         "training record (default); random: two filter-normalised random directions")
    la.add_argument("--size", type=positive_int, default=41, help="grid points along each axis, odd (default: 41)")
    la.add_argument("--seed", type=count, help="random directions: the generator's seed (default: the model's)")
    la.add_argument("--json", action="store_true", help="print the directions, axes, grid of mse values and path "
                                                        "as JSON on stdout")
    la.add_argument("--out", help="write the contour map (.svg, .pdf or .png)")
    la.add_argument("--theme", choices=("light", "print", "dark"), default="light")
    la.add_argument("--dpi", type=number, default=300.0, help="PNG resolution (default: 300)")
    la.add_argument("--title", help="a title above the figure")
    la.add_argument("--figsize", default="760x640", help="figure size in CSS pixels, WIDTHxHEIGHT (default: 760x640)")


def cmd_landscape(args) -> int:
    """The loss landscape of a model (core/landscape.py), as JSON and a contour map (core/landscape_figures.py)."""
    from ..core import landscape as land_mod

    if args.out is not None:
        if not args.out.lower().endswith((".svg", ".pdf", ".png")):
            raise ValueError(f"--out must name a .svg, .pdf or .png file (got {args.out})")
        refuse_own_input(args.out, own_inputs(args, "--model", "--data"), "--out")
        nnio.atomic.check_writable(args.out)
    land_mod.check_size(args.size)
    args.size_px = figure_size(args.figsize, (900, 600))
    settings = dataset = None
    if args.model.lower().endswith(".nnviz"):
        from ..io import session as sessionfile

        exp = sessionfile.restore(sessionfile.load(args.model))
        model, dataset = exp.model(), exp.dataset
        settings = exp.settings.with_(iterations=int(exp.session.iteration))
    else:
        model = nnio.load(args.model)
    land, notes = land_mod.of_model(model, args.directions, args.size, args.data, args.seed, settings, dataset,
                                    lambda k, n: stopping.check(), what=args.model)
    for line in notes:
        note(args, line)
    if args.json:
        print(json.dumps(land_mod.as_json(land, args.model)))
    elif not is_quiet(args):
        v = land.values
        print(f"{land.directions} directions, {v.shape[0]} x {v.shape[1]} points around iteration {land.iteration:,}: "
              f"mse {land.current:.6g} at the model's weights, {v.min():.6g} to {v.max():.6g} on the grid")
    if args.out is not None:
        from ..core.landscape_figures import landscape_scene
        from ..gui import render  # Qt only from here on

        scene = landscape_scene(land, args.title, args.theme, args.size_px,
                                subtitle=f"{model.arch.describe()} network")
        render.save(scene, args.out, dpi=args.dpi)
        note(args, f"landscape of the {model.arch.describe()} network written to {args.out}")
    return 0
