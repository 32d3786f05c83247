"""``nnviz compare-r``: nnviz's run exactly as ``nnviz train`` makes it, then R's neuralnet from the
same start weights with the same settings (io/rcompare.py), side by side."""

from __future__ import annotations

import json
import sys

from .. import stopping
from ..core.options import early_fields, run_summary
from ..io.format_json import history_entry
from .options import EXIT_DIVERGED, add_training_options, number
from .run import Progress, build_experiment, train
from .stdio import check_export, save_model


def add_parser(sub) -> None:
    cr = sub.add_parser("compare-r", help="train as nnviz train does, then R's neuralnet from the same start "
                                          "weights with the same settings, and compare them (needs R)")
    add_training_options(cr)
    cr.add_argument("--r-timeout", type=number, default=600.0, metavar="SECONDS",
                    help="stop neuralnet after this many seconds (default: 600)")
    cr.add_argument("--quiet", action="store_true", help="no progress bar")


def cmd_compare_r(args) -> int:
    """nnviz's run exactly as ``nnviz train`` trains it, then neuralnet in R from the same start
    weights (io/rcompare.py); R and what neuralnet cannot do are checked before training."""
    from ..io import rcompare

    if args.export:
        check_export(args)
    if not args.r_timeout > 0:
        raise ValueError(f"--r-timeout must be a positive number of seconds (got {args.r_timeout:g})")
    exp = build_experiment(args)
    rcompare.check(exp.settings, exp.X_train.shape[0])
    r = rcompare.find_r()
    start = [W.copy() for W in exp.network.weights]
    bar = Progress(exp.settings.iterations, not args.quiet and not args.json and sys.stderr.isatty())
    snap, stopped = train(exp, stopping.stop_requested, bar.update, quiet=getattr(args, "quiet", False))
    bar.close()
    if stopped == "diverged":
        print(f"nnviz: {snap.message}", file=sys.stderr)
        return EXIT_DIVERGED
    signum = stopping.requested()
    if stopped == "interrupted" or signum is not None:
        print(stopping.interrupted_line(), file=sys.stderr)
        return stopping.status(signum) if signum is not None else 130
    ev = exp.evaluate()
    if args.export:
        save_model(exp.model({"stopped": stopped, "error": ev.mse * exp.Y_train.size / 2,
                              "history": history_entry(snap.new_iterations, snap.new_mse)}), args.export)
    try:
        c = rcompare.against_neuralnet(exp, start, stopped, snap.training_seconds, rscript=r.rscript,
                                       timeout=args.r_timeout, should_stop=stopping.stop_requested)
    except rcompare.Cancelled:
        signum = stopping.requested()
        print(stopping.interrupted_line(), file=sys.stderr)
        return stopping.status(signum) if signum is not None else 130
    early = early_fields(snap)
    summary = run_summary(exp.dataset.name, exp.arch, exp.settings, exp.session.iteration, ev,
                          snap.training_seconds, exp.session.iteration, stopped, snap.message, early,
                          exp.learning_rate())
    summary.update(engine=exp.session.engine, blas_threads=exp.session.blas_threads, steps=c.nnviz.steps,
                   error=c.nnviz.error, reached_threshold=c.nnviz.reached_threshold,
                   max_weight_difference=c.max_weight_difference, neuralnet=c.neuralnet_json())
    if args.json:
        print(json.dumps(summary))
        return 0
    s = exp.settings
    how = f"lr {exp.learning_rate():g}" if s.algorithm == "gd" else f"threshold {s.threshold:g}" if s.threshold else "no threshold"
    print(f"{exp.dataset.name}: {exp.train.n} training rows, network {exp.arch.describe()} "
          f"({', '.join(exp.arch.layer_activations)}), {s.algorithm}, {how}")
    print(f"neuralnet {c.neuralnet_version} in R {c.r_version}: {c.call}")
    rows: list[tuple[str, object, object]] = [("steps", c.nnviz.steps, c.neuralnet.steps), ("error", c.nnviz.error, c.neuralnet.error),
            ("reached threshold", c.nnviz.reached_threshold, c.neuralnet.reached_threshold),
            ("mse", c.nnviz.mse, c.neuralnet.mse)]
    if c.nnviz.accuracy is not None and c.neuralnet.accuracy is not None:
        rows.append(("accuracy", f"{c.nnviz.accuracy:.2%}", f"{c.neuralnet.accuracy:.2%}"))
    if c.nnviz.test_mse is not None:
        rows.append(("test mse", c.nnviz.test_mse, c.neuralnet.test_mse))
    if c.nnviz.test_accuracy is not None and c.neuralnet.test_accuracy is not None:
        rows.append(("test accuracy", f"{c.nnviz.test_accuracy:.2%}", f"{c.neuralnet.test_accuracy:.2%}"))
    rows += [("stopped", c.nnviz.stopped, c.neuralnet.stopped),
             ("seconds", f"{c.nnviz.seconds:.2f}", f"{c.neuralnet.seconds:.2f}")]
    print(f"{'':<18} {'nnviz':>18} {'neuralnet':>18}")
    for name, a, b in rows:
        show = [f"{v:.12g}" if isinstance(v, float) else str(v) for v in (a, b)]
        print(f"{name:<18} {show[0]:>18} {show[1]:>18}")
    largest = max(float(abs(W).max()) for W in c.nnviz.weights)
    print(f"largest weight difference {c.max_weight_difference:.3g} (the largest weight is {largest:.3g}); "
          "steps count the first evaluation, as neuralnet does: weight updates + 1")
    if args.export:
        print(f"model written to {args.export}")
    return 0
