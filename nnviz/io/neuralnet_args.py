"""What R's ``neuralnet`` can train, and nnviz's settings as its arguments and its call.

How the settings map (``neuralnet_arguments``), checked in neuralnet 1.44.2's source:

* ``backprop`` is ``weights - learningrate * gradients`` with gradients = dE/dW =
  crossprod(input, f'(A) (yhat - y)) over all rows: nnviz's full-batch ``gd``,
  W += lr input^T delta, with the same rate (``learningrate = lr``).
* ``rprop+`` and ``rprop-`` are neuralnet's own (nnviz follows its plus() and minus()).
* ``error`` is 1/2 SSE (``err.fct = "sse"``) or the cross-entropy (``"ce"``), summed over
  the training rows and outputs; ``threshold`` stops when max |dE/dw| is at most it (nnviz
  stops when below; no threshold in nnviz is ``threshold = 0``).
* ``steps`` counts the first evaluation: a run of N weight updates reports N + 1 steps,
  so ``stepmax`` = nnviz's iterations + 1.
* One ``act.fct`` (logistic or tanh) for every hidden layer; the output is ``act.fct`` or,
  with ``linear.output = TRUE``, the identity.  With ``ce`` and a logistic output neuralnet
  takes delta_out = yhat - y, as nnviz does.

What neuralnet cannot do is refused in one line naming the setting (``refusal``): relu,
a different activation per layer, softmax, a tanh output, L1/L2, momentum, mini-batches,
learning-rate schedules, early stopping, float32.  ``r_call`` writes the call as R source
(numbers exact) or as one line to read.  No files and no R here.
"""

from __future__ import annotations

from ..core.experiment import Settings


def refusal(settings: Settings, n_rows: int | None = None) -> str | None:
    """Why neuralnet cannot train these settings, in one line naming the setting; None if it can."""
    s = settings
    acts = tuple(dict.fromkeys(s.activation)) if s.hidden else ()
    if "relu" in acts:
        return "--activation relu: neuralnet's act.fct is logistic or tanh"
    if len(acts) > 1:
        return (f"--activation {','.join(s.activation)}: neuralnet has one act.fct for every hidden layer "
                "(give one activation)")
    if s.output_activation == "softmax":
        return "--output-activation softmax: neuralnet has no softmax output (use sigmoid outputs)"
    if acts == ("tanh",) and s.output_activation == "sigmoid":
        return ("--activation tanh with --output-activation sigmoid: neuralnet's output is act.fct (tanh) or "
                "linear; use --output-activation linear or --activation sigmoid")
    if s.l1 or s.l2:
        given = " ".join(f"--{k} {getattr(s, k):g}" for k in ("l1", "l2") if getattr(s, k))
        return f"{given}: neuralnet has no weight penalty"
    if s.momentum:
        return f"--momentum {s.momentum:g}: neuralnet's backprop has no momentum"
    if s.batch_size is not None and (n_rows is None or s.batch_size < n_rows):
        return f"--batch-size {s.batch_size}: neuralnet trains on all rows at once (full batch)"
    if s.lr_schedule != "constant":
        return f"--lr-schedule {s.lr_schedule}: neuralnet's learning rate is constant"
    if s.patience is not None:
        return f"--patience {s.patience}: neuralnet has no early stopping"
    if s.dtype != "float64":
        return f"--dtype {s.dtype}: neuralnet computes in float64"
    return None


def check(settings: Settings, n_rows: int | None = None) -> None:
    """ValueError (one line) when neuralnet cannot train these settings (see ``refusal``)."""
    why = refusal(settings, n_rows)
    if why:
        raise ValueError(f"cannot compare with neuralnet: {why}")


def neuralnet_arguments(settings: Settings, rows: int | None = None) -> dict[str, object]:
    """neuralnet's arguments for these settings (Python values; ``r_call`` writes them as R); the
    learning rate "auto" is resolved for ``rows`` training rows (the number nnviz trains with)."""
    s = settings
    act = s.activation[0] if s.hidden else "sigmoid"  # without hidden layers act.fct is the output's
    args: dict[str, object] = {
        "hidden": list(s.hidden) or [0],
        "threshold": 0.0 if s.threshold is None else float(s.threshold),
        "stepmax": int(s.iterations) + 1,  # neuralnet's steps count the first evaluation
        "rep": 1,
        "algorithm": {"gd": "backprop"}.get(s.algorithm, s.algorithm),
    }
    if s.algorithm == "gd":
        if isinstance(s.lr, str) and rows is None:
            raise ValueError('the learning rate "auto" needs the number of training rows')
        args["learningrate"] = float(s.learning_rate(rows or 0))
    args["err.fct"] = s.loss
    args["act.fct"] = "tanh" if act == "tanh" else "logistic"
    args["linear.output"] = s.output_activation == "linear"
    return args


def _r_value(value) -> tuple[str, str]:
    """A Python value as R source, and a comment: a number that is not whole is written in
    hexadecimal (exact) with its decimal in the comment."""
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), ""
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"', ""
    if isinstance(value, list):
        inner = [_r_value(v)[0] for v in value]
        return (inner[0] if len(inner) == 1 else f"c({', '.join(inner)})"), ""
    if isinstance(value, int) or float(value).is_integer() and abs(value) < 2**53:
        return str(int(value)), ""
    return float(value).hex(), repr(float(value))


def _shown(value) -> str:
    """A value as a person reads it in R's call."""
    return f"{value:g}" if isinstance(value, float) else _r_value(value)[0]


def r_call(formula: str, args: dict[str, object], r_source: bool = True) -> str:
    """``neuralnet(formula, data, startweights, ...)`` with ``args``: as R source (one argument
    a line, numbers exact) or, ``r_source=False``, as one line to read."""
    if not r_source:
        return f"neuralnet({formula}, data, startweights, {', '.join(f'{k} = {_shown(v)}' for k, v in args.items())})"
    lines = [f"  {formula},", "  data = data,", "  startweights = startweights,"]
    for i, (k, v) in enumerate(args.items()):
        code, comment = _r_value(v)
        comma = "," if i < len(args) - 1 else ""
        lines.append(f"  {k} = {code}{comma}" + (f"  # {comment}" if comment else ""))
    return "neuralnet::neuralnet(\n" + "\n".join(lines) + "\n)"
