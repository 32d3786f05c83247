"""``nnviz train``: one run to the end, ``--export``, the summary (or ``--json``), the exit status
of a run that diverged or was interrupted."""

from __future__ import annotations

import json
import sys
from contextlib import redirect_stdout

from .. import stopping
from ..core import metrics
from ..core.experiment import Evaluation, Experiment
from ..core.features import labels as feature_labels
from ..core.files import refuse_own_input
from ..core.options import early_fields, own_inputs, run_summary
from ..io.format_json import history_entry
from .options import EXIT_DIVERGED, STDIO, add_training_options, detail, say_notes
from .run import Progress, build_experiment, train
from .stdio import check_export, save_model


def add_parser(sub) -> None:
    t = sub.add_parser("train", help="train a network headless and optionally export it")
    add_training_options(t)
    t.add_argument("--quiet", action="store_true", help="no progress bar and no summary")


def cmd_train(args) -> int:
    if args.export:  # --init may be overwritten on purpose: training on from a model and saving it back
        refuse_own_input(args.export, own_inputs(args, "--data"), "--export")
        check_export(args)
    exp = build_experiment(args)
    stopping.check()  # a signal while nnviz read the data: stop, nothing written
    say_notes(exp.dataset.notes)
    detail(args, f"{exp.dataset.name}: {exp.train.n} training rows, network {exp.arch.describe()}, "
            f"engine {exp.session.engine}, {exp.session.blas_threads} BLAS thread(s), lr {exp.learning_rate():g}")
    show = not args.quiet and not args.json and sys.stderr.isatty() and sys.stdout.isatty()
    bar = Progress(args.iterations, show)
    # from here, with a network built, a signal stops training and the export below is
    # written: the weights of the iteration reached
    snap, stopped = train(exp, stopping.stop_requested, bar.update, quiet=args.quiet)
    bar.close()
    ev = exp.evaluate()
    early = early_fields(snap)
    if args.export:
        save_model(exp.model({"stopped": stopped, "best_iteration": early["best_iteration"],
                              "stopped_at": early["stopped_at"],
                              "error": ev.mse * exp.Y_train.size / 2,  # neuralnet's 1/2 SSE, plot.nn's footer
                              "history": history_entry(snap.new_iterations, snap.new_mse)}), args.export)
    summary = run_summary(exp.dataset.name, exp.arch, exp.settings, exp.session.iteration, ev,
                          snap.training_seconds, early["stopped_at"] or exp.session.iteration, stopped,
                          snap.message, early, exp.learning_rate())
    summary.update(engine=exp.session.engine, blas_threads=exp.session.blas_threads)
    if args.json:
        print(json.dumps(summary))
    elif not args.quiet:
        with redirect_stdout(sys.stderr if args.export == STDIO else sys.stdout):  # stdout has the model
            _print_summary(exp, summary, ev, "stdout" if args.export == STDIO else args.export)
            if snap.hint:
                print(f"hint: {snap.hint}")
    signum = stopping.requested()
    if signum is not None:
        wrote = f"; the model is written to {args.export}" if args.export else ""
        print(f"{stopping.interrupted_line()} at iteration {exp.session.iteration:,}{wrote}", file=sys.stderr)
        return stopping.status(signum)
    if stopped == "diverged":
        print(f"nnviz: {snap.message}", file=sys.stderr)
        return EXIT_DIVERGED
    return 0


def _print_summary(exp: Experiment, s: dict, ev: Evaluation, export: str | None) -> None:
    rate = f", {s['iterations_per_second']:,.0f} it/s" if s["iterations_per_second"] else ""
    print(f"{exp.dataset.name}: {exp.train.n} training rows, network {exp.arch.describe()} "
          f"({', '.join(exp.arch.layer_activations)}), {s['algorithm']}, lr {s['learning_rate']:g}"
          + (" (auto)" if s["learning_rate_auto"] else ""))
    if exp.scaling.features:
        print(f"input features: {', '.join(feature_labels(exp.scaling.features, exp.dataset.input_names))}")
    print(f"iterations {s['iterations']} in {s['seconds']:.2f} s{rate}; stopped: {s['stopped']}")
    if s["stopped"] == "early_stop":
        print(f"early stop at iteration {s['stopped_at']}: kept the weights of iteration {s['best_iteration']} "
              f"(the best validation mse, {s['best_validation_mse']:.6g})")
    extras = [f"l1 {s['l1']:g}" if s["l1"] else "", f"l2 {s['l2']:g}" if s["l2"] else "",
              f"lr schedule {s['lr_schedule']} (now {s['learning_rate_now']:.6g})" if s["lr_schedule"] != "constant" else ""]
    if any(extras):
        print("; ".join(e for e in extras if e))
    line = f"train mse {ev.mse:.6g} (scaled units)" if ev.regression else f"train mse {ev.mse:.6g}"
    if ev.accuracy is not None:
        line += f", accuracy {ev.accuracy:.2%}"
    if ev.test_mse is not None:
        line += f"; test mse {ev.test_mse:.6g}"
        if ev.test_accuracy is not None:
            line += f", accuracy {ev.test_accuracy:.2%}"
    if ev.validation_mse is not None:
        line += f"; validation mse {ev.validation_mse:.6g}"
    print(line)
    for which, r in (ev.regression or {}).items():
        print(f"{which}: RMSE {r['rmse']:.6g}, MAE {r['mae']:.6g}, R^2 {r['r2']:.4f} (in the target's units)")
    if exp.task == "classes":
        cm = metrics.confusion(exp.Y_train, exp.network.predict(exp.X_train))
        names = exp.dataset.output_names
        w = max(max(len(n) for n in names), 5)
        print("confusion (rows: true, columns: predicted)")
        print(" " * (w + 1) + " ".join(f"{n[:w]:>{w}}" for n in names))
        for name, row in zip(names, cm, strict=True):
            print(f"{name[:w]:>{w}} " + " ".join(f"{c:>{w}}" for c in row))
    if export:
        print(f"model written to {export}")
