"""A data set written as CSV (File > Export data): the rows as they are trained on, edited
points included, in a file that ``--data FILE.csv`` reads back to the same data.

Columns: the inputs by name, then the target: one column of class names for classes, one
column per output for numbers and 0/1 targets.  Numbers are written with Python's shortest
round-trip repr, so the values read back are bit for bit the ones written.  Training rows
come before the test rows of an edited set; the split itself is not a column (the reloaded
file is split by ``--test-fraction``).  Written atomically.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..core.data import Dataset
from . import atomic


def data_to_csv(ds: Dataset) -> str:
    """The CSV text of ``ds`` (see the module doc)."""
    if ds.task == "classes":
        targets = [ds.target_columns[0] if len(ds.target_columns) == 1 else "class"]
    else:
        targets = list(ds.output_names)
    clash = set(targets) & set(ds.input_names)
    if clash:
        raise ValueError(f"the target column {sorted(clash)[0]!r} has the name of an input")
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([*ds.input_names, *targets])
    labels = ds.T.argmax(axis=1) if ds.task == "classes" else None
    for i in range(ds.n):
        row = [repr(float(v)) for v in ds.X[i]]
        if labels is not None:
            row.append(ds.output_names[labels[i]])
        elif ds.task == "binary":
            row.extend(str(int(v)) for v in ds.T[i])
        else:
            row.extend(repr(float(v)) for v in ds.T[i])
        w.writerow(row)
    return out.getvalue()


def save_csv(path: str | Path, ds: Dataset) -> None:
    """Write ``ds`` to ``path`` as CSV, atomically; ValueError of one line naming the file."""
    try:
        text = data_to_csv(ds)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    atomic.write_text(path, text)
