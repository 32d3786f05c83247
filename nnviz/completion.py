"""Shell completion scripts for bash, zsh and fish, written from the command line's own
argparse parser (``nnviz completion bash|zsh|fish``), so they follow every option added later.

What completes: the commands; each command's options; the choices of an option that has them
(``--algorithm`` gd, rprop+, rprop-; ``--to`` numpy, r, pytorch ...); file names after an option
that takes a file (``--model``, ``--out`` ...); built-in data set names and CSV files after
``--data``.  zsh uses the bash script through its ``bashcompinit``.  No package is needed.
"""

from __future__ import annotations

import argparse
import shlex

SHELLS = ("bash", "zsh", "fish")
# options whose value is a file name (completed from the file system)
FILE_OPTIONS = ("--model", "--out", "--output", "--export", "--init", "--screenshot")


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _help_of(parser: argparse.ArgumentParser) -> dict[str, str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return {a.dest: a.help or "" for a in action._choices_actions}
    return {}


def _options(p: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in p._actions if a.option_strings and a.help != argparse.SUPPRESS]


def _long(action: argparse.Action) -> str:
    return next((o for o in action.option_strings if o.startswith("--")), action.option_strings[0])


def _takes_value(action: argparse.Action) -> bool:
    return action.nargs != 0


def _choices(action: argparse.Action) -> list[str]:
    return [str(c) for c in action.choices] if action.choices is not None else []


def script(parser: argparse.ArgumentParser, shell: str, datasets: tuple[str, ...] = ()) -> str:
    """The completion script for ``shell``."""
    if shell == "bash":
        return bash(parser, datasets)
    if shell == "zsh":
        return zsh(parser, datasets)
    if shell == "fish":
        return fish(parser, datasets)
    raise ValueError(f"unknown shell {shell!r} (choose from {', '.join(SHELLS)})")


def bash(parser: argparse.ArgumentParser, datasets: tuple[str, ...] = ()) -> str:
    prog = parser.prog
    commands = _commands(parser)
    fn = f"_{prog}_complete"
    top = " ".join(["-h", "--help", "--version", *commands])
    out = [f"# bash completion for {prog}: eval \"$({prog} completion bash)\", or save it as",
           f"# ~/.local/share/bash-completion/completions/{prog}",
           f"{fn}() {{",
           '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" cmd="" i',
           "    for ((i = 1; i < COMP_CWORD; i++)); do",
           '        case "${COMP_WORDS[i]}" in -*) ;; *) cmd="${COMP_WORDS[i]}"; break ;; esac',
           "    done",
           '    if [[ -z "$cmd" ]]; then',
           f'        COMPREPLY=($(compgen -W {shlex.quote(top)} -- "$cur")); return',
           "    fi",
           '    case "$cmd" in']
    for name, sub in commands.items():
        opts = _options(sub)
        out.append(f"    {shlex.quote(name)})")
        out.append('        case "$prev" in')
        for a in opts:
            if not _takes_value(a):
                continue
            pattern = "|".join(shlex.quote(o) for o in a.option_strings)
            if _choices(a):
                words = " ".join(_choices(a))
                out.append(f'            {pattern}) COMPREPLY=($(compgen -W {shlex.quote(words)} -- "$cur")); return ;;')
            elif _long(a) == "--data":
                words = " ".join(datasets)
                out.append(f'            {pattern}) COMPREPLY=($(compgen -W {shlex.quote(words)} -- "$cur") '
                           '$(compgen -f -- "$cur")); return ;;')
            elif _long(a) in FILE_OPTIONS or str(a.metavar or "").endswith(("FILE", ".png")):
                out.append(f'            {pattern}) COMPREPLY=($(compgen -f -- "$cur")); return ;;')
            else:
                out.append(f"            {pattern}) return ;;")
        out.append("        esac")
        words = " ".join(_long(a) for a in opts)
        positional = [a for a in sub._actions if not a.option_strings and a.choices]
        extra = " ".join(c for a in positional for c in _choices(a))
        out.append(f'        COMPREPLY=($(compgen -W {shlex.quote((words + " " + extra).strip())} -- "$cur")) ;;')
    out += ["    esac", "}", f"complete -o filenames -F {fn} {prog}", ""]
    return "\n".join(out)


def zsh(parser: argparse.ArgumentParser, datasets: tuple[str, ...] = ()) -> str:
    prog = parser.prog
    return "\n".join([f"# zsh completion for {prog}: eval \"$({prog} completion zsh)\" in ~/.zshrc",
                      "autoload -U +X compinit && compinit",
                      "autoload -U +X bashcompinit && bashcompinit",
                      bash(parser, datasets)])


def _fish_str(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def fish(parser: argparse.ArgumentParser, datasets: tuple[str, ...] = ()) -> str:
    prog = parser.prog
    commands = _commands(parser)
    helps = _help_of(parser)
    names = " ".join(commands)
    out = [f"# fish completion for {prog}: {prog} completion fish > ~/.config/fish/completions/{prog}.fish",
           f"complete -c {prog} -f"]
    for name in commands:
        out.append(f"complete -c {prog} -n 'not __fish_seen_subcommand_from {names}' -a {_fish_str(name)} "
                   f"-d {_fish_str(helps.get(name, '')[:60])}")
    for name, sub in commands.items():
        cond = f"-n '__fish_seen_subcommand_from {name}'"
        for a in _options(sub):
            opt = _long(a)
            parts = [f"complete -c {prog} {cond}"]
            parts.append(f"-l {opt[2:]}" if opt.startswith("--") else f"-s {opt[1:]}")
            if _takes_value(a):
                if _choices(a):
                    parts.append(f"-x -a {_fish_str(' '.join(_choices(a)))}")
                elif opt == "--data":
                    parts.append(f"-r -F -a {_fish_str(' '.join(datasets))}")
                elif opt in FILE_OPTIONS:
                    parts.append("-r -F")
                else:
                    parts.append("-x")
            if a.help:
                parts.append(f"-d {_fish_str(a.help.split(';')[0][:60])}")
            out.append(" ".join(parts))
        for a in sub._actions:
            if not a.option_strings and a.choices:
                out.append(f"complete -c {prog} {cond} -a {_fish_str(' '.join(str(c) for c in a.choices))}")
    return "\n".join(out) + "\n"
