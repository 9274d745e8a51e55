"""The benchmark command runs (tiny sizes) and ends with a well-formed summary line.
Timings are not asserted: the machine is shared and noisy."""

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "tests" / "data" / "questions.yaml"  # the eval's format; always in the checkout
KEYS = [
    "p95_ms",
    "p50_ms",
    "max_ms",
    "whoosh_p95_ms",
    "fts5_p95_ms",
    "ratio_vs_whoosh",
    "ratio_vs_fts5",
    "score",
    "whoosh_score",
    "fts5_score",
    "dense_p95_ms",
    "dense_score",
    "build_s",
    "incremental_s",
    "index_mb",
    "rss_mb",
    "msgs_per_s",
    "reminder_n",
    "reminder_s",
    "reminder_rate",
    "reminder_vs_ideal_pct",
]
# the PostgreSQL reminder run beside SQLite's, when a server could be had
PG_KEYS = ["pg_reminder_s", "pg_vs_sqlite", "fast_sqlite_s", "fast_pg_s", "fast_pg_vs_sqlite"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=400,
    )  # fmt: skip


def test_quick_run_ends_with_a_sane_summary():
    proc = run("--quick", "--dev", str(BANK), "--rounds", "1", "--messages", "8",
               "--subscribers", "40")  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    last = proc.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"summary:( [a-z0-9_]+=[-+0-9./]+)+", last), last
    values = dict(kv.split("=") for kv in last.removeprefix("summary: ").split())
    assert list(values) in (KEYS, KEYS + PG_KEYS)
    if os.environ.get("REQUIRE_POSTGRES") == "1":  # CI: the PostgreSQL part must run
        assert list(values) == KEYS + PG_KEYS, proc.stdout[-1500:]
    num = {k: float(v) for k, v in values.items() if "/" not in v}
    for k in ("p95_ms", "p50_ms", "whoosh_p95_ms", "fts5_p95_ms", "dense_p95_ms", "build_s",
              "msgs_per_s"):
        assert num[k] > 0, k
    assert num["p50_ms"] <= num["p95_ms"] <= num["max_ms"]
    assert 10 < num["rss_mb"] < 2000
    assert num["reminder_n"] == 40 and num["reminder_rate"] > 0
    ours, n = map(int, values["score"].split("/"))
    assert n == len(yaml.safe_load(BANK.read_text(encoding="utf-8")))
    assert ours > int(values["whoosh_score"].split("/")[0])


def test_a_missing_question_file_is_a_clear_error(tmp_path):
    proc = run("--quick", "--dev", str(tmp_path / "nope.yaml"))
    assert proc.returncode != 0
    assert "nope.yaml" in proc.stderr and "--dev" in proc.stderr


LOAD_KEYS = [
    "reminder_n",
    "reminder_s",
    "reminder_rate",
    "reminder_exactly_once",
    "askers",
    "answered",
    "askers_exactly_once",
    "answer_p50_s",
    "answer_p95_s",
    "answer_max_s",
    "engine_samples",
    "engine_max_s",
    "engine_p95_s",
]


def test_load_quick_run_checks_exactly_once_and_ends_with_a_summary():
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.load", "--quick", "--subscribers", "40",
         "--askers", "12", "--samples", "30"],
        cwd=ROOT, capture_output=True, text=True, timeout=400,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:] + proc.stdout[-2000:]
    last = proc.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"summary:( [a-z0-9_]+=[-+0-9.]+)+", last), last
    values = {k: float(v) for k, v in (kv.split("=") for kv in last.split()[1:])}
    assert list(values) == LOAD_KEYS
    assert values["reminder_n"] == 40 and values["reminder_exactly_once"] == 1
    assert values["askers"] == values["answered"] == 12 and values["askers_exactly_once"] == 1
    assert 0 < values["answer_p50_s"] <= values["answer_p95_s"] <= values["answer_max_s"]
    assert values["engine_samples"] == 32 and values["engine_max_s"] > 0
    assert "Påminnelser: 40/40" in proc.stdout


def test_the_scale_benchmark_runs_two_sizes_and_reports_each():
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.scale", "--quick"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    import json

    rows = json.loads(proc.stdout.strip().splitlines()[-1].removeprefix("summary: "))
    assert [r["size"] for r in rows] == [1, 3]
    small, large = rows
    assert large["documents"] > 0 and large["passages"] > 2 * small["passages"]
    assert large["units"] > 2 * small["units"]
    for r in rows:
        assert 0 < r["p50_ms"] <= r["p95_ms"] and r["whoosh_p95_ms"] > 0
        assert r["build_s"] > 0 and r["add_one_s"] > 0 and r["msgs_per_s"] > 0
        assert r["rss_open_mb"] <= r["rss_after_mb"] < 2000
        assert r["bank"][1] == len(yaml.safe_load(BANK.read_text(encoding="utf-8")))
    assert "| svar p95 (ms) |" in proc.stdout  # the table for the README


def test_the_scale_benchmark_refuses_bad_sizes():
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.scale", "--sizes", "1,tio"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2 and "--sizes" in proc.stderr


def test_the_retrieval_benchmark_finds_the_passage_that_holds_the_answer(assistant):
    from benchmarks.retrieval import measure

    items = [
        {"q": "Vad innebär närhetsprincipen?", "must": [["där de inträffar"]]},
        {"q": "hur mycket får Region Gotland?", "expect": "abstain"},  # left out
    ]
    ranks = measure(assistant, items)
    assert {k: len(v) for k, v in ranks.items()} == {"bm25": 1, "dense": 1, "fused": 1}
    assert ranks["fused"][0] is not None and ranks["fused"][0] < 3
