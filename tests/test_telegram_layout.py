"""The Telegram front end is bot/telegram/ and only that: no other module of bot/ imports
python-telegram-bot, and the front end's own modules import each other without a cycle
(the admin's upload and the handlers share bot/telegram/services.py instead)."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parent.parent / "bot"
FRONT_END = BOT / "telegram"


def imported(path: Path) -> set[str]:
    """Absolute module names a file imports (anywhere, lazily too); relative imports as
    ".name" for the package's own modules."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                found.add(node.module or "")
            elif node.level == 1:
                found |= {"." + (node.module or a.name) for a in node.names}
    return found


def test_only_bot_telegram_imports_telegram():
    outside = [p for p in BOT.rglob("*.py") if FRONT_END not in p.parents]
    assert outside
    offenders = {
        str(p.relative_to(BOT)): sorted(m for m in imported(p) if m.split(".")[0] == "telegram")
        for p in outside
    }
    assert {p: m for p, m in offenders.items() if m} == {}


def test_the_front_end_has_no_import_cycle():
    graph = {
        p.stem: {m[1:].split(".")[0] for m in imported(p) if m.startswith(".")}
        for p in FRONT_END.glob("*.py")
    }

    def reaches(start: str, node: str, seen: set[str]) -> bool:
        for nxt in graph.get(node, ()):
            if nxt == start or (nxt not in seen and reaches(start, nxt, seen | {nxt})):
                return True
        return False

    assert [m for m in graph if reaches(m, m, {m})] == []
