"""``nnviz predict``: a model's predictions for the rows of a CSV file (or standard input), the
input columns found by name, by ``--columns``, or by order for a model without names."""

from __future__ import annotations

import csv
import io
import sys

from .. import stopping
from .. import io as nnio
from ..core import data as datamod
from ..core.files import read_text, refuse_own_input
from ..core.options import own_inputs
from .options import STDIO, detail, note, is_quiet, say_notes
from .stdio import decode, load_model, read_stdin


def add_parser(sub) -> None:
    p = sub.add_parser("predict", help="predict new rows with a saved model")
    p.add_argument("--model", required=True, help="model file (.json, .npz, .onnx)")
    p.add_argument("--data", required=True, help="CSV file with the model's input columns")
    p.add_argument("--output", help="write the predictions to this CSV file (default: stdout)")
    p.add_argument("--columns", help="the CSV columns for the model's inputs, in order, comma-separated "
                   "(default: the model's input names)")


def _input_columns(args, model, text: str | None = None) -> tuple[str, ...]:
    """The CSV columns that feed the model's inputs: --columns, else the model's input names;
    a model without names (one imported from ONNX) takes all the CSV's columns in order when
    their number fits, and says so.  A model with input features reads its two raw columns."""
    p = len(model.input_names)
    if args.columns is not None:
        cols = tuple(c.strip() for c in args.columns.split(",") if c.strip())
        if len(cols) != p:
            raise ValueError(f"--columns names {len(cols)} column(s), the model takes {p} inputs")
        return cols
    if not model.training.get("imported_from"):
        return tuple(model.input_names)
    try:
        first = next((r for r in csv.reader(io.StringIO(text if text is not None else
                                                        read_text(args.data, fallback_latin1=True)))
                      if any(c.strip() for c in r)), [])
    except csv.Error as exc:
        raise ValueError(f"{args.data}: not a readable CSV file ({exc})") from None
    header = tuple(c.strip() for c in first)
    if len(header) != p or len(set(header)) != p:
        raise ValueError(f"{args.model} has no input names and {args.data} has {len(header)} columns, not {p} "
                         f"distinct ones; name the input columns with --columns a,b,...")
    note(args, f"{args.model} has no input names; using the CSV's {p} columns in order: {', '.join(header)}")
    return header


def cmd_predict(args) -> int:
    if args.output and args.output != STDIO:
        refuse_own_input(args.output, own_inputs(args, "--data", "--model"), "--output")
    if args.model == STDIO and args.data == STDIO:
        raise ValueError("--model - and --data - cannot both read standard input")
    model = load_model(args.model)
    detail(args, f"{args.model}: the {model.arch.describe()} network, inputs {', '.join(model.input_names)}")
    notes: list[str] = []
    if args.data == STDIO:
        text = decode(read_stdin())
        X, rows, header = datamod.parse_inputs(text, "<stdin>", _input_columns(args, model, text), notes)
    else:
        X, rows, header = datamod.load_inputs(args.data, _input_columns(args, model), notes)
    say_notes(notes)
    stopping.check()  # a signal while the files loaded: nothing is written
    Y = model.predict(X)
    labels = model.predict_labels(X)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    out_cols = [f"pred.{n}" for n in model.output_names]
    w.writerow(header + out_cols + (["predicted"] if labels else []))
    for i, r in enumerate(rows):
        w.writerow(r + [repr(float(v)) for v in Y[i]] + ([labels[i]] if labels else []))
    if args.output and args.output != STDIO:
        nnio.atomic.write_text(args.output, buf.getvalue())
        if not is_quiet(args):
            print(f"{len(rows)} predictions written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(buf.getvalue())
    return 0
