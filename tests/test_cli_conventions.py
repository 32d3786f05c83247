"""Command-line conventions: --quiet and --verbose on every command, "-" for standard input and
output, and shell completion scripts."""

import json
import os
import shutil
import subprocess
import sys
from importlib import resources

import numpy as np
import pytest

from nnviz import cli
from nnviz import io as nnio

# the arguments each command needs besides --quiet / --verbose
REQUIRED = {"predict": ["--model", "m.json", "--data", "d.csv"], "plot": ["--model", "m.json", "--out", "x.svg"],
            "animate": ["--out", "x.gif"], "convert": ["--model", "m.json", "--out", "x.R"],
            "completion": ["bash"], "explain": ["--model", "m.json", "--method", "olden"]}


def _commands():
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return parser, list(sub.choices)


def test_every_command_takes_quiet_and_verbose():
    parser, commands = _commands()
    assert {"train", "predict", "datasets", "plot", "animate", "sweep", "install-desktop", "gui", "compare-r",
            "convert", "completion", "explain", "tour"} <= set(commands)
    for command in commands:
        for flag in ("--quiet", "--verbose"):
            args = parser.parse_args([command, *REQUIRED.get(command, []), flag])
            assert getattr(args, flag[2:]) is True, (command, flag)


def test_quiet_and_verbose_change_what_is_said(tmp_path, capsys):
    assert cli.main(["datasets", "--verbose"]) == 0
    out = capsys.readouterr().out
    assert "150 rows, 4 inputs, 3 outputs (classes)" in out  # iris, only with --verbose
    assert cli.main(["datasets"]) == 0
    assert "150 rows" not in capsys.readouterr().out
    model = tmp_path / "m.json"
    assert cli.main(["train", "--data", "toy", "--iterations", "20", "--export", str(model), "--verbose"]) == 0
    err = capsys.readouterr().err
    assert "nnviz: toy: 8 training rows, network 3-6-6-2, engine" in err
    data = tmp_path / "d.csv"
    data.write_text("x1,x2,x3\n0,1,0\n1,1,1\n")
    out_csv = tmp_path / "p.csv"
    assert cli.main(["predict", "--model", str(model), "--data", str(data), "--output", str(out_csv)]) == 0
    assert "2 predictions written" in capsys.readouterr().err
    assert cli.main(["predict", "--model", str(model), "--data", str(data), "--output", str(out_csv), "--quiet"]) == 0
    assert capsys.readouterr().err == ""
    assert cli.main(["convert", "--model", str(model), "--out", str(tmp_path / "n.R"), "--quiet"]) == 0
    assert capsys.readouterr().err == ""
    assert cli.main(["datasets", "--quiet", "--verbose"]) == 2
    assert "cannot be given together" in capsys.readouterr().err


def _nnviz(*argv, stdin: bytes | None = None):
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join([root] + [p for p in [env.get("PYTHONPATH")] if p])
    return subprocess.run([sys.executable, "-m", "nnviz", *argv], input=stdin, capture_output=True, env=env,
                          timeout=300)


def test_dash_is_standard_input_and_output(tmp_path):
    iris = (resources.files("nnviz.data") / "iris.csv").read_bytes()
    # train --data - trains on the piped rows exactly as on the file; --export - writes the JSON model
    from_file = _nnviz("train", "--data", "iris", "--iterations", "100", "--export", str(tmp_path / "f.json"),
                       "--quiet")
    assert from_file.returncode == 0
    piped = _nnviz("train", "--data", "-", "--iterations", "100", "--export", "-", stdin=iris)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.startswith(b"{") and b"train mse" in piped.stderr  # the summary goes to stderr then
    (tmp_path / "p.json").write_bytes(piped.stdout)
    a, b = nnio.load(tmp_path / "f.json"), nnio.load(tmp_path / "p.json")
    assert all(np.array_equal(W, V) for W, V in zip(a.network.weights, b.network.weights, strict=True))
    # predict --data - --output -, and --model - (JSON on stdin)
    data = tmp_path / "iris.csv"
    data.write_bytes(iris)
    expected = _nnviz("predict", "--model", str(tmp_path / "f.json"), "--data", str(data))
    assert expected.returncode == 0
    piped = _nnviz("predict", "--model", str(tmp_path / "f.json"), "--data", "-", "--output", "-", stdin=iris)
    assert piped.returncode == 0 and piped.stdout == expected.stdout
    model_in = _nnviz("predict", "--model", "-", "--data", str(data), stdin=(tmp_path / "f.json").read_bytes())
    assert model_in.returncode == 0 and model_in.stdout == expected.stdout
    both = _nnviz("predict", "--model", "-", "--data", "-", stdin=iris)
    assert both.returncode == 2 and b"cannot both read standard input" in both.stderr
    clash = _nnviz("train", "--data", "toy", "--export", "-", "--json")
    assert clash.returncode == 2 and b"both write to stdout" in clash.stderr


def test_sweep_reads_piped_rows_once(tmp_path):
    iris = (resources.files("nnviz.data") / "iris.csv").read_bytes()
    r = _nnviz("sweep", "--data", "-", "--hidden", "2,3", "--iterations", "50", "--json", stdin=iris)
    assert r.returncode == 0, r.stderr
    runs = [json.loads(line) for line in r.stdout.splitlines()]
    assert [s["architecture"] for s in runs] == ["4-2-3", "4-3-3"]


def test_completion_scripts(tmp_path, capsys):
    for shell in ("bash", "zsh", "fish"):
        assert cli.main(["completion", shell]) == 0
        (tmp_path / f"nnviz.{shell}").write_text(capsys.readouterr().out)
    bash = (tmp_path / "nnviz.bash").read_text()
    assert "complete -o filenames -F _nnviz_complete nnviz" in bash
    assert "bashcompinit" in (tmp_path / "nnviz.zsh").read_text()
    fish = (tmp_path / "nnviz.fish").read_text()
    assert "-l algorithm -x -a 'gd rprop+ rprop-'" in fish and "-a 'convert'" in fish
    if shutil.which("bash") is None:
        pytest.skip("no bash to run the script")

    def complete(*words: str) -> list[str]:
        line = " ".join(words)
        script = (f"source {tmp_path / 'nnviz.bash'}\nCOMP_WORDS=({line} '')\n"
                  f"COMP_CWORD={len(words)}\n" if words[-1] == "" else
                  f"source {tmp_path / 'nnviz.bash'}\nCOMP_WORDS=({line})\nCOMP_CWORD={len(words) - 1}\n")
        script += '_nnviz_complete\nprintf "%s\\n" "${COMPREPLY[@]}"\n'
        r = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60, cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        return r.stdout.split()

    assert complete("nnviz", "tr") == ["train"]
    assert set(complete("nnviz", "c")) == {"compare-r", "convert", "completion"}
    assert complete("nnviz", "train", "--algorithm", "rp") == ["rprop+", "rprop-"]
    assert complete("nnviz", "convert", "--to", "py") == ["pytorch"]
    assert "--batch-size" in complete("nnviz", "train", "--ba")
    assert "spiral" in complete("nnviz", "gui", "--data", "sp")
    assert complete("nnviz", "completion", "fi") == ["fish"]
    assert "nnviz.bash" in complete("nnviz", "predict", "--model", "nnviz.b")  # file names
    for shell in ("zsh", "fish"):
        if shutil.which(shell):
            r = subprocess.run([shell, "-n", str(tmp_path / f"nnviz.{shell}")], capture_output=True, text=True)
            assert r.returncode == 0, r.stderr
