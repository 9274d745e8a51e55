"""python -m index build: (re)build the search index for the current knowledge."""

from __future__ import annotations

import argparse
import sys
import time

import knowledge

from . import builder


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m index", description="Sökindexet")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("build", help="bygg indexet från kunskapsbasen")
    args = p.parse_args(argv)
    if args.command == "build":
        try:
            k = knowledge.load()
        except knowledge.KnowledgeError as exc:
            print(f"Fel i kunskapsbasen: {exc}", file=sys.stderr)
            return 3
        started = time.perf_counter()
        path = builder.build(
            k, progress=lambda n, total: print(f"  {n}/{total} dokument", file=sys.stderr)
        )
        print(f"Index byggt på {time.perf_counter() - started:.2f} s: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
