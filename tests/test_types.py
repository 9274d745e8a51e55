"""mypy over bot, knowledge and index (configured in pyproject.toml) is clean: this is how
CI type-checks, since CI runs pytest. And the Literal types that stand for names kept
elsewhere (intents.yaml, the tables' CHECK constraints) name the same things."""

import re
import subprocess
import sys
from pathlib import Path
from typing import get_args

from bot.subscriptions import store, store_postgres
from bot.subscriptions.store_base import (
    POSTGRES_REASONS,
    REASONS,
    Failure,
    QueuedState,
    ReminderState,
    VoteValue,
)
from knowledge.vocabulary import INTENT_NAMES, intents

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_is_clean():
    done = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_intents_the_code_knows_are_those_of_intents_yaml():
    assert sorted(i.name for i in intents()) == sorted(INTENT_NAMES)


def _checks(sql: str) -> list[tuple[str, tuple[str, ...]]]:
    """(column, allowed values sorted) of each `CHECK (column IN (...))`."""
    found = re.findall(r"CHECK \((\w+) IN \(([^)]*)\)\)", sql)
    return sorted((col, tuple(sorted(v.strip(" '") for v in vs.split(",")))) for col, vs in found)


def test_the_stored_states_are_the_tables_checks():
    def values(literal) -> tuple[str, ...]:
        return tuple(sorted(str(v) for v in get_args(literal)))

    expected = sorted([
        ("state", values(ReminderState)),  # reminders
        ("state", values(QueuedState)),  # change_notices
        ("again_state", values(QueuedState)),  # reminder_replies
        ("vote", values(VoteValue)),  # feedback
    ])  # fmt: skip
    assert _checks(store.SCHEMA) == expected
    assert _checks("".join(m.sql for m in store_postgres.MIGRATIONS)) == expected


def test_every_failure_has_its_words():
    assert set(get_args(Failure)) == set(REASONS) | set(POSTGRES_REASONS)
