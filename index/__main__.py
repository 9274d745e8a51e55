"""python -m index: build the search index, and add, list or remove source documents."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import knowledge

from . import builder


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ogiltigt datum {text!r}, använd ÅÅÅÅ-MM-DD") from None


def progress(what: str, n: int, total: int) -> None:
    """Progress of a long build or ingest on standard error (a line per stage)."""
    label = {
        "sida": "sidor lästa",
        "index": "avsnitt indexerade",
        "vektorer": "meningar inbäddade (semantisk sökning)",
        "avsikter": "exempelfrågor inbäddade (avsikter)",
        "ord": "ord inbäddade (översättning av engelska ord)",
    }.get(what, what)
    end = "\n" if n == total else "\r"
    print(f"  {n}/{total} {label}", end=end, file=sys.stderr, flush=True)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m index", description="Sökindex och källdokument")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("build", help="bygg om indexet från början")
    add = sub.add_parser(
        "add", help="lägg till (eller ersätt) ett dokument: PDF, Word (.docx), HTML, text"
    )
    add.add_argument("file", type=Path)
    add.add_argument("--title", required=True, help="dokumentets titel")
    add.add_argument("--publisher", required=True, help="utgivare, t.ex. MSB eller SKR")
    add.add_argument("--date", type=_date, help="dokumentets datum (ÅÅÅÅ-MM-DD)")
    add.add_argument("--url", help="dokumentets adress, om den är känd")
    add.add_argument("--id", dest="doc_id", help="id (standard: bildas av titeln)")
    add.add_argument("--replace", action="store_true",
                     help="ersätt ett dokument som redan finns (samma id eller titel)")  # fmt: skip
    sub.add_parser("list", help="lista källdokumenten")
    rm = sub.add_parser("remove", help="ta bort ett tillagt dokument")
    rm.add_argument("doc_id")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "build":
            started = time.perf_counter()
            path = builder.build(knowledge.load(), progress=progress)
            print(f"Index byggt på {time.perf_counter() - started:.2f} s: {path}")
        elif args.command == "list":
            from .ingest import listing

            print("\n".join(listing(knowledge.load())))
        elif args.command == "remove":
            from .ingest import remove

            remove(args.doc_id)
            print(f"Borttaget: {args.doc_id}. Indexet är uppdaterat.")
        elif args.command == "add":
            return _add(args)
    except knowledge.KnowledgeError as exc:
        print(f"Fel i kunskapsbasen: {exc}", file=sys.stderr)
        return 3
    except ValueError as exc:  # IngestError and friends: a clear message, nothing half-written
        print(f"Fel: {exc}", file=sys.stderr)
        return 2
    return 0


def _add(args) -> int:
    from .ingest import add

    started = time.perf_counter()
    r = add(
        args.file, args.title, args.publisher, args.date, args.url, args.doc_id,
        progress=progress, replace=args.replace,
    )  # fmt: skip
    verb = {"added": "Tillagt", "replaced": "Ersatt", "unchanged": "Oförändrat"}[r.status]
    print(f"{verb}: {r.doc_id} ({r.sections} avsnitt) på {time.perf_counter() - started:.1f} s.")
    if r.status == "unchanged":
        print("Samma innehåll som redan finns – inget omindexerat.")
    if r.affected_deadlines:
        print(
            "Frister med detta dokument som källa (bevakare meddelas efter /omindexera "
            "eller omstart): " + ", ".join(r.affected_deadlines)
        )
    if r.candidates:
        print(
            f"\n{len(r.candidates)} möjliga datum i texten – lägg in frister i "
            "knowledge/data/deadlines.yaml för hand om de gäller:"
        )
        for c in r.candidates[:30]:
            print(f"  • {c.when}: {c.sentence[:200]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
