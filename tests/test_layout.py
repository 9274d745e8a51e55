"""The tree shows the design, and a question flows through it in one direction:

- bot/engine/ (question in, answer out) imports neither the subscriptions, nor Telegram,
  nor a database driver;
- bot/subscriptions/ (store, reminders, delivery) imports no Telegram;
- only bot/telegram/ imports python-telegram-bot;
- no module of bot/ reaches itself again through its imports (lazy imports count, only
  imports for type checking do not);
- the words of Telegram's commands ("/bevaka rsa") are the front end's: no string in
  bot/engine/ or bot/subscriptions/ names one of the bot's commands."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(node: ast.AST) -> set[int]:
    """ids of import nodes under `if TYPE_CHECKING:`."""
    skip: set[int] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.If) and getattr(n.test, "id", "") == "TYPE_CHECKING":
            skip |= {id(m) for b in n.body for m in ast.walk(b)}
    return skip


def imported(path: Path) -> set[str]:
    """The absolute module names a file imports, lazily too; `from . import x` gives the
    submodule x when there is one."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_only(tree)
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = node.module or ""
            else:
                up = package[: len(package) - (node.level - 1)]
                base = ".".join(up + ([node.module] if node.module else []))
            found.add(base)
            for a in node.names:
                sub = f"{base}.{a.name}"
                if (ROOT / (sub.replace(".", "/") + ".py")).exists() or (
                    ROOT / sub.replace(".", "/") / "__init__.py"
                ).exists():
                    found.add(sub)
    return found


GRAPH = {module_name(p): imported(p) for p in BOT.rglob("*.py")}


def _in(modules: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in prefixes or m.startswith(prefixes))


def test_each_layer_imports_only_what_lies_below_it():
    assert any(m.startswith("bot.engine.") for m in GRAPH)
    assert any(m.startswith("bot.subscriptions.") for m in GRAPH)
    offenders = {}
    for mod, imports in GRAPH.items():
        if mod.startswith("bot.engine"):
            bad = _in(
                imports,
                ("bot.subscriptions", "bot.telegram", "bot.cli", "telegram", "sqlite3", "psycopg"),
            )
        elif mod.startswith("bot.subscriptions"):
            bad = _in(imports, ("bot.telegram", "bot.cli", "telegram"))
        elif not mod.startswith("bot.telegram"):
            bad = _in(imports, ("telegram",))
        else:
            bad = []
        if bad:
            offenders[mod] = bad
    assert offenders == {}


def test_no_module_imports_itself_again():
    graph = {m: {i for i in imps if i in GRAPH and i != m} for m, imps in GRAPH.items()}
    # a package's __init__ imports nothing here, so `from . import x` edges are real ones
    cycles = []
    for start in graph:
        stack, seen = [(start, [start])], set()
        while stack:
            node, path = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    cycles.append(" → ".join(path + [start]))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, path + [nxt]))
    assert cycles == []


def command_names() -> set[str]:
    """Every name in bot/telegram/commands.py's one table, COMMANDS (aliases too)."""
    tree = ast.parse((BOT / "telegram" / "commands.py").read_text(encoding="utf-8"))
    table = next(
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.AnnAssign) and getattr(n.target, "id", None) == "COMMANDS"
    )
    names = set()
    for call in ast.walk(table):
        if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "Command":
            names.add(call.args[0].value)
            for kw in call.keywords:
                if kw.arg == "aliases":
                    names |= {e.value for e in kw.value.elts}
    return names


def strings(path: Path) -> list[tuple[int, str]]:
    """The string constants of a file (f-strings' literal parts too), without its
    docstrings and other bare strings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bare = {
        id(n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)
    }
    return [
        (n.lineno, n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in bare
    ]


def test_no_command_is_worded_below_the_front_end():
    names = command_names()
    assert {"bevaka", "avbevaka", "frister", "glom", "start"} <= names
    command = re.compile(rf"(?<![\w/])/({'|'.join(sorted(names, key=len, reverse=True))})\b")
    found = [
        f"{path.relative_to(ROOT)}:{line}: {command.search(text).group(0)}"
        for layer in ("engine", "subscriptions")
        for path in sorted((BOT / layer).rglob("*.py"))
        for line, text in strings(path)
        if command.search(text)
    ]
    assert found == []
