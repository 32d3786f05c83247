"""``nnviz explain``: what a model learned, as R's NeuralNetTools and neuralnet compute it: Olden's
and Garson's importance, generalized weights, Lek's profiles, partial dependence (core/importance.py,
core/profiles.py); the values as text or JSON, a figure through gui/render.py."""

from __future__ import annotations

import json
import sys

from .. import io as nnio
from ..core import data as datamod
from .options import figure_size, number, positive_int

EXPLAIN_METHODS = ("olden", "garson", "gw", "lek", "pdp")


def add_parser(sub) -> None:
    ex = sub.add_parser("explain", help="what a model learned: input importance (Olden, Garson), generalized "
                                        "weights, Lek's profiles, partial dependence; as R's NeuralNetTools and "
                                        "neuralnet compute them")
    ex.add_argument("--model", required=True, help="model file (.json, .npz, .onnx) or session (.nnviz, has its data)")
    ex.add_argument("--method", required=True, choices=EXPLAIN_METHODS,
                    help="olden (signed, any depth), garson (one hidden layer, one output), gw (generalized "
                         "weights per row), lek (Lek's profiles), pdp (partial dependence and ICE curves)")
    ex.add_argument("--data", help="the rows for gw, lek and pdp: a built-in data set or a CSV file with the "
                                   "model's input columns (default: the session's training rows, or the built-in "
                                   "data set the model was trained on)")
    ex.add_argument("--output", help="the output to explain, by name or number (default: the first, as "
                                     "NeuralNetTools' out_var)")
    ex.add_argument("--groups", choices=("quantiles", "clusters"), default="quantiles",
                    help="lek: the other inputs at the quantiles 0, 20, ..., 100%% (default) or at k-means centres")
    ex.add_argument("--clusters", type=positive_int, default=6, help="lek --groups clusters: how many (default: 6)")
    ex.add_argument("--steps", type=positive_int, help="lek, pdp: values each input is swept over (default: 100, 50)")
    ex.add_argument("--raw-units", action="store_true",
                    help="gw: per unit of each input's own scale (default: per standard deviation, the "
                         "standardised inputs the network and neuralnet see)")
    ex.add_argument("--json", action="store_true", help="print the values as JSON on stdout")
    ex.add_argument("--out", help="write a figure (.svg, .pdf or .png)")
    ex.add_argument("--theme", choices=("light", "print", "dark"), default="light")
    ex.add_argument("--dpi", type=number, default=300.0, help="PNG resolution (default: 300)")
    ex.add_argument("--title", help="a title above the figure")
    ex.add_argument("--size", help="figure size in CSS pixels, WIDTHxHEIGHT (default: 700x420 for bars, 900x600)")


def _explain_output(spec: str | None, names: tuple[str, ...]) -> int:
    """The output index named by --output (a name, or a number from 1)."""
    if spec is None:
        return 0
    if spec in names:
        return names.index(spec)
    if spec.strip().isdigit() and 1 <= int(spec) <= len(names):
        return int(spec) - 1
    raise ValueError(f"--output {spec!r} is not one of the model's outputs ({', '.join(names)}, or 1 to {len(names)})")


def _explain_rows(args, model, data=None):
    """The raw input rows the model is explained on, and where they come from."""
    if args.data:
        if args.data in datamod.BUILTINS:
            ds = datamod.load(args.data, seed=int(model.training.get("seed", 0) or 0))
            if tuple(ds.input_names) != tuple(model.input_names):
                raise ValueError(f"the built-in {args.data!r} has the inputs {', '.join(ds.input_names)}; "
                                 f"the model takes {', '.join(model.input_names)}")
            return ds.X, f"the {ds.n} rows of the built-in {args.data}"
        X, _, _ = datamod.load_inputs(args.data, tuple(model.input_names))
        return X, f"the {X.shape[0]} rows of {args.data}"
    if data is not None:
        return data.X, f"the session's {data.n} training rows"
    name = model.training.get("data")
    if isinstance(name, str) and name in datamod.BUILTINS:
        ds = datamod.load(name, seed=int(model.training.get("seed", 0) or 0))
        if tuple(ds.input_names) == tuple(model.input_names):
            return ds.X, f"the {ds.n} rows of the built-in {name} (the model's data; --data for others)"
    raise ValueError(f"--method {args.method} needs rows: give --data (a built-in data set or a CSV file "
                     "with the model's input columns)")


def cmd_explain(args) -> int:
    """Olden's or Garson's importance, generalized weights or profiles of a model (core/importance.py,
    core/profiles.py); --json the values, --out a figure (core/importance_figures.py, gui/render.py)."""
    from ..core import importance as imp
    from ..core import importance_figures as figs
    from ..core import profiles as prof

    if args.out is not None and not args.out.lower().endswith((".svg", ".pdf", ".png")):
        raise ValueError(f"--out must name a .svg, .pdf or .png file (got {args.out})")
    size = figure_size(args.size, (700, 420) if args.method in ("olden", "garson") else (900, 600))
    if args.out is not None:
        nnio.atomic.check_writable(args.out)
    data = None
    if args.model.lower().endswith(".nnviz"):
        from ..io import session as sessionfile

        exp = sessionfile.restore(sessionfile.load(args.model))
        model, data = exp.model(), exp.train
    else:
        model = nnio.load(args.model)
    names_in, names_out = tuple(model.input_labels), tuple(model.output_names)
    k = _explain_output(args.output, names_out)
    doc: dict = {"method": args.method, "model": args.model, "output": names_out[k], "outputs": list(names_out)}
    notes = [f"output {names_out[k]} (of {len(names_out)}: --output NAME for another)"] if len(names_out) > 1 \
        and args.output is None else []
    if args.method in ("olden", "garson"):
        values = imp.olden(model.network.weights)[:, k] if args.method == "olden" else imp.garson(model.network.weights)
        label = "Olden's importance (sum over paths of the products of the weights)" if args.method == "olden" \
            else "Garson's relative importance"
        doc.update(inputs=list(names_in), importance=[float(v) for v in values])
        scene = figs.importance_bars(names_in, values, f"{label}, {names_out[k]}", args.theme, size, args.title) \
            if args.out else None
        lines = [f"{n:>{max(len(m) for m in names_in)}}  {v: .6g}" for n, v in zip(names_in, values, strict=True)]
    else:
        X_raw, where = _explain_rows(args, model, data)
        notes.append(f"on {where}")
        if args.method == "gw":
            X = model.scaling.inputs(X_raw)
            gw = imp.generalized_weights(model.network, X, model.scaling, raw=args.raw_units, output=k)[:, 0, :]
            label = imp.log_odds_label(model.arch.output_activation)
            x = X * model.scaling.x_scale + model.scaling.x_center
            doc.update(inputs=list(names_in), label=label, units="raw" if args.raw_units else "standardised",
                       x=x.tolist(), values=gw.tolist())
            scene = figs.gw_panels(x, gw, names_in, label, names_out[k], args.theme, size, args.title) \
                if args.out else None
            lines = [f"generalized weights: d {label} of {names_out[k]} / d input, {gw.shape[0]} rows; "
                     f"mean, min, max per input:"]
            lines += [f"  {n}: {gw[:, j].mean(): .6g} {gw[:, j].min(): .6g} {gw[:, j].max(): .6g}"
                      for j, n in enumerate(names_in)]
        else:
            kind = "pdp" if args.method == "pdp" else "lek" if args.groups == "quantiles" else "lek_clusters"
            p = prof.profiles(kind, prof.model_predict(model.network, model.scaling), X_raw, steps=args.steps,
                              clusters=args.clusters)
            raw_names = list(model.input_names)
            doc.update(inputs=raw_names, x=p.x.tolist())
            if kind == "pdp":
                assert p.mean is not None  # partial dependence always has its mean
                doc.update(values=p.mean[..., k].tolist(), ice=p.curves[..., k].tolist())
            else:
                doc.update(groups=list(p.labels), held=p.held.tolist(), values=p.curves[..., k].tolist())
            scene = figs.profile_panels(p, k, raw_names, names_out[k], args.theme, size, args.title) \
                if args.out else None
            ends = p.mean[..., k] if p.mean is not None else p.curves[..., k].mean(axis=1)
            lines = [f"{prof.KIND_NAMES[kind]} of {names_out[k]}, {p.x.shape[1]} steps; "
                     "at each input's minimum and maximum" + ("" if kind == "pdp" else " (mean over the groups)") + ":"]
            lines += [f"  {n}: {ends[j, 0]:.6g} -> {ends[j, -1]:.6g}" for j, n in enumerate(raw_names)]
    for note in notes:
        print(f"nnviz: {note}", file=sys.stderr)
    if args.json:
        print(json.dumps(doc))
    else:
        print("\n".join(lines))
    if scene is not None:
        from ..gui import render  # Qt only from here on

        render.save(scene, args.out, dpi=args.dpi)
        print(f"{args.method} of the {model.arch.describe()} network written to {args.out}", file=sys.stderr)
    return 0
