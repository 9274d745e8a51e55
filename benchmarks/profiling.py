"""Where answer time goes: `python -m benchmarks.profiling [--dev FILE] [--rounds N]`.

Uses pyinstrument when installed (`pip install -e ".[bench]"`), cProfile otherwise.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
from pathlib import Path

from .latency import ours
from .questions import DEFAULT_DEV, all_questions, load_dev


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.profiling", description=__doc__)
    ap.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    ap.add_argument("--rounds", type=int, default=10)
    args = ap.parse_args(argv)
    questions = all_questions(load_dev(args.dev))
    os.environ.setdefault("INDEX_DIR", tempfile.mkdtemp(prefix="bench-profile-"))

    from bot.engine.assistant import Assistant

    answer = ours(Assistant.create())
    for q in questions:  # warm-up, as the latency figures are
        answer(q)

    def work() -> None:
        for _ in range(args.rounds):
            for q in questions:
                answer(q)

    try:
        from pyinstrument import Profiler
    except ImportError:
        prof = cProfile.Profile()
        prof.runcall(work)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        return
    p = Profiler(interval=0.0005)
    p.start()
    work()
    p.stop()
    print(p.output_text(unicode=False, color=False))


if __name__ == "__main__":
    main()
