"""Two-step questions: "Vilken region har minst befolkning, och hur mycket får den?".
Step one finds the regions a description picks out, by the grant's figures ("flest
invånare", "över en miljon invånare") or by what a document says of them ("värd för
NSPL-kansliet"); step two asks the question of those regions. Both steps are shown,
each with its source."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from index.analysis import fold
from index.documents import sentences
from knowledge.models import Knowledge, Region, SourceRef

from . import allocation_answers as money
from .answer import Answer, Citer
from .entities import LEX, RegionMatcher
from .ranking import Ranker
from .retrieval import Retriever
from .snippets import best_sentences
from .understanding import REGION_INTENTS, Understanding

Answerer = Callable[[Understanding, date], Answer]


class MultiStep:
    def __init__(
        self,
        knowledge: Knowledge,
        retriever: Retriever,
        ranker: Ranker,
        regions: RegionMatcher,
        from_texts: Answerer,
        second_step: Answerer,
    ):
        self.knowledge = knowledge
        self.retriever = retriever
        self.ranker = ranker
        self.regions = regions
        self.from_texts = from_texts  # a description no document ties to regions: as asked
        self.second_step = second_step  # the question asked of the regions found

    def answer(self, u: Understanding, today: date) -> Answer:
        d = u.described
        assert d is not None
        found: tuple[list[Region], str, Citer] | Answer | None
        if d.kind == "text":
            assert d.text is not None  # kind "text" carries the text
            found = self._regions_told(d.text, u.language == "en")
            if found is None:  # the documents name no region so described: asked as is
                return self.from_texts(replace(u, described=None), today)
        else:
            found = money.described_regions(self.knowledge, d.kind, d.threshold, u.year, d.upper,
                                            d.rank, d.share)  # fmt: skip
        if isinstance(found, Answer):
            return found
        regions, step_one, cite = found
        if d.kind == "text" and len(regions) > 1:
            # "av regionerna i styrgruppen, vilken har minst befolkning …": of those named
            rest = u.folded[: d.span[0]] + u.folded[d.span[1] :]
            end = "least" if LEX["least_populous"].search(rest) else (
                "most" if LEX["most_populous"].search(rest) else None)  # fmt: skip
            if end is not None:
                picked = money.populous_among(self.knowledge, regions, end, u.year)
                if picked is not None:
                    regions = [picked[0]]
                    step_one = f"{step_one}\n{picked[1]}"
        if u.intent not in REGION_INTENTS or not regions:
            return Answer(step_one, True, "allocation", cite.all())
        named = [r for r in u.regions if r not in regions]  # compared with those found
        u.regions = [*regions, *named]
        if named and len(u.regions) == 2:
            u.flags.add("difference")
        elif len(u.regions) > 1 and not u.flags & {"difference", "together"}:
            u.flags.add("together")
        second = self.second_step(u, today)
        for c in second.sources:
            if c not in cite.refs:
                cite.refs.append(c)
        text = f"Steg 1:\n{step_one}\nSteg 2:\n{second.text}"
        return Answer(text, second.answered, second.kind, cite.all(), second.deadline_ids)

    def _regions_told(
        self, description: str, foreign: bool
    ) -> tuple[list[Region], str, Citer] | None:
        """Step one when the documents describe the regions ("värd för NSPL-kansliet"):
        the regions named in the sentence of the passage that answers the description
        best, quoted with its source."""
        hits, q = self.retriever.passages(description, foreign)
        searcher = self.retriever.searcher
        for hit in hits:
            said = best_sentences(hit.body, self.ranker.telling(q), searcher.analyzer,
                                  limit=1, sims=hit.sentence_sims)  # fmt: skip
            regions, _ = self.regions.find(fold(said))
            if not regions:  # the passage on what is described, its sentence naming regions
                # ("… nämner två regioner": "Sverige har 18 landsting och 2 regioner, …")
                named = ((x, self.regions.find(fold(x))[0]) for x in sentences(hit.body))
                said, regions = next(((x, r) for x, r in named if r), (said, []))
            if regions:
                cite = Citer(self.knowledge)
                cite.cite(SourceRef(hit.doc, hit.section))
                return regions, f"”{said}”", cite
        return None
