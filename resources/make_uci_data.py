"""Write the UCI data sets nnviz ships (nnviz/data/*.csv) from scikit-learn's copies.

    pip install scikit-learn && python resources/make_uci_data.py

nnviz itself does not need scikit-learn: the CSV files are package data.  Column names are
scikit-learn's (``feature_names``; the target column is ``target``, as in ``as_frame=True``);
classes are written by name (wine's class_0..class_2, breast cancer's benign / malignant) or,
for digits, as the digit 0..9.  Numbers are written as the shortest text that reads back
exactly (digits' pixels are integers 0..16).  Diabetes is the raw table (``scaled=False``:
age in years, sex 1/2, ...), not scikit-learn's default scaled copy: nnviz standardises itself.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sklearn import datasets

OUT = Path(__file__).resolve().parent.parent / "nnviz" / "data"


def _text(x) -> str:
    t = repr(float(x))
    return t[:-2] if t.endswith(".0") else t


def write(name: str, header: list[str], rows) -> None:
    path = OUT / f"{name}.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    print(f"{path}: {path.stat().st_size:,} bytes")


def main() -> None:
    d = datasets.load_digits()
    write("digits", list(d.feature_names) + ["target"],
          ([*(str(int(v)) for v in x), str(int(t))] for x, t in zip(d.data, d.target, strict=True)))
    for name, loader in (("wine", datasets.load_wine), ("breast-cancer", datasets.load_breast_cancer)):
        b = loader()
        write(name, list(b.feature_names) + ["target"],
              ([*map(_text, x), str(b.target_names[t])] for x, t in zip(b.data, b.target, strict=True)))
    b = datasets.load_diabetes(scaled=False)
    write("diabetes", list(b.feature_names) + ["target"],
          ([*map(_text, x), _text(t)] for x, t in zip(b.data, b.target, strict=True)))


if __name__ == "__main__":
    main()
