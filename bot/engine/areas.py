"""Answers about the areas of MSB's list (their tasks and support) and the 2023
agreement's insatser: one area, a domain, a support group, one insats or all seven."""

from __future__ import annotations

from typing import Literal, TypeGuard

from index.analysis import fold
from index.search import Hit, Query, Searcher
from knowledge.models import Area, Knowledge, SupportStatus

from .answer import Answer, AnswerKind, Citer
from .entities import extract_domain
from .ranking import Ranker
from .understanding import TOPIC_NOISE, Understanding

STATUS_LABEL: dict[SupportStatus, str] = {
    "stöd": "Stöd",
    "under_utveckling": "Under utveckling",
    "befintligt": "Befintligt",
}


class Areas:
    def __init__(self, knowledge: Knowledge, searcher: Searcher, ranker: Ranker):
        self.knowledge = knowledge
        self.searcher = searcher
        self.ranker = ranker


    def for_hits(self, hits: list[Hit], u: Understanding) -> list[Area]:
        by_id = {a.id: a for a in self.knowledge.areas}
        areas = list(dict.fromkeys(by_id[h.ref] for h in hits if h.kind in ("area", "support")))
        if u.domain:
            in_domain = [a for a in areas if a.domain == u.domain]
            areas = in_domain or areas
        top = [areas[0]]
        # same-named areas in both domains ("Rapportering") are shown together
        top += [a for a in areas[1:] if a.name == areas[0].name and not u.domain]
        return top

    def answer(self, areas: list[Area], q: Query, u: Understanding) -> Answer:
        cite = Citer(self.knowledge)
        want_tasks = u.intent != "support"
        want_support = u.intent != "task"
        telling = self.ranker.telling(q)
        blocks = []
        for a in areas:
            cite.cite(a.source)
            lines = [f"{a.name} ({a.domain}):"]
            if want_tasks:
                lines.append("Uppgift" + ("er:" if len(a.tasks) > 1 else ":"))
                lines += [f"• {t}" for t in a.tasks]
            if want_support and a.support:
                items = list(a.support)
                # words beyond the area's own name pick items ("utbildning i Rakel")
                specific = telling - set(self.searcher.analyzer.terms(a.name))
                matching = [
                    s for s in items if specific & set(self.searcher.analyzer.terms(s.text))
                ]
                if u.status:  # "vilket stöd är under utveckling?"
                    group = [s for s in items if s.status == u.status]
                    label = (
                        "Stöd under utveckling:"
                        if u.status == "under_utveckling"
                        else ("Befintligt stöd:")
                    )
                    lines += (
                        [label, *(f"• {s.text}" for s in group)]
                        if group
                        else [f"{label} inget angivet för området."]
                    )
                elif u.intent == "support" and matching and len(matching) < len(items):
                    lines.append("Ja, det finns:")
                    lines += [f"• {s.text} ({STATUS_LABEL[s.status].lower()})" for s in matching]
                    others = [s for s in items if s not in matching]
                    lines.append("Övrigt stöd inom området:")
                    lines += [f"• {s.text}" for s in others]
                else:
                    for status in ("stöd", "under_utveckling", "befintligt"):
                        group = [s for s in items if s.status == status]
                        if group:
                            label = {
                                "stöd": "Stöd:",
                                "under_utveckling": "Stöd under utveckling:",
                                "befintligt": "Befintligt stöd:",
                            }[status]
                            lines.append(label)
                            lines += [f"• {s.text}" for s in group]
            blocks.append("\n".join(lines))
        kind: AnswerKind = "support" if u.intent.startswith("support") else "task"
        shown = tuple(a.id for a in areas)
        return Answer("\n\n".join(blocks), True, kind, cite.all(), areas=shown)

    def every_item(self, areas: list[Area], u: Understanding) -> Answer:
        """The tasks or support (by `u.intent`) of `areas`, every item shown."""
        return self.answer(areas, self.searcher.parse("", ignore=TOPIC_NOISE), u)

    def domain(self, u: Understanding) -> Answer:
        """Every area of one domain: "Vilka uppgifter har regionen inom krisberedskap?"."""
        areas = [a for a in self.knowledge.areas if a.domain == u.domain]
        cite = Citer(self.knowledge)
        lines = []
        for a in areas:
            cite.cite(a.source)
            items = a.tasks if u.intent == "task" else [s.text for s in a.support]
            if items:
                lines.append(f"{a.name}:")
                shown = items if u.intent == "task" else items[:2]  # support lists are long
                lines += [f"• {t}" for t in shown]
                if len(items) > len(shown):
                    lines.append(
                        f"• … och {len(items) - len(shown)} till (fråga om {a.name.lower()})"
                    )
        head = "Uppgifter" if u.intent == "task" else "Stöd"
        text = f"{head} inom {u.domain} enligt MSB:s sammanställning:\n" + "\n".join(lines)
        # retrieval asks for a whole domain only for the intents task and support
        kind: AnswerKind = "task" if u.intent == "task" else "support"
        return Answer(text, True, kind, cite.all(), areas=tuple(a.id for a in areas))

    def by_status(self, status: SupportStatus) -> Answer:
        """'Vilket stöd är under utveckling?': that group of every area."""
        label = STATUS_LABEL[status]
        cite = Citer(self.knowledge)
        lines = [f"Stöd som är {label.lower()}, per område:"]
        for a in self.knowledge.areas:
            group = [s.text for s in a.support if s.status == status]
            if group:
                cite.cite(a.source)
                lines.append(f"{a.name} ({a.domain}):")
                lines += [f"• {text}" for text in group]
        if len(lines) == 1:
            return Answer(f"Inget stöd är markerat som {label.lower()}.", True, "support")
        return Answer("\n".join(lines), True, "support", cite.all())

    def overview(self, what: str) -> Answer:
        lines = [f"Områden med {what} (skriv ett av dem, till exempel ”{what} säkerhetsskydd”):"]
        for domain in ("krisberedskap", "civilt försvar"):
            names = [a.name for a in self.knowledge.areas if a.domain == domain]
            lines.append(f"• {domain.capitalize()}: {', '.join(names)}")
        lines.append(
            "Överenskommelsen 2023 om hälso- och sjukvården har också insatserna 1–7: "
            + ", ".join(f"{i.number}. {i.name}" for i in self.knowledge.insatser)
            + "."
        )
        cite = Citer(self.knowledge)
        cite.cite(self.knowledge.areas[0].source)
        cite.cite(self.knowledge.insatser[0].source)
        return Answer("\n".join(lines), True, "task", cite.all())

    def match(self, query: str) -> list[Area]:
        """Areas a user names ("säkerhetsskydd", "rapportering krisberedskap")."""
        q = self.searcher.parse(query, ignore=TOPIC_NOISE)
        hits = self.ranker.ranked(self.searcher.search(q, kinds=("area", "support")), q)
        if not hits:
            return []
        domain = extract_domain(fold(query))
        return self.for_hits(hits, Understanding(query, fold(query), "task", domain=domain))

    def _command(
        self, area: str | None, intent: Literal["task", "support_list"], what: str
    ) -> Answer:
        if not area or not area.strip():
            return self.overview(what)
        areas = self.match(area)
        if not areas:
            return Answer(
                f"Jag hittar inget område som heter ”{area}”. " + self.overview(what).text,
                False,
                intent,
            )
        q = self.searcher.parse(area, ignore=TOPIC_NOISE)
        return self.answer(areas, q, Understanding(area, fold(area), intent))

    def tasks(self, area: str | None) -> Answer:
        """For /uppgifter [område]."""
        return self._command(area, "task", "uppgifter")

    def support(self, area: str | None) -> Answer:
        """For /stod [område]: every support item of the area."""
        return self._command(area, "support_list", "stöd")

    def insats_hit(self, top: Hit, hits: list[Hit], q: Query, u: Understanding) -> Answer:
        k = self.knowledge
        ins = next(i for i in k.insatser if str(i.number) == top.ref)
        telling = self.ranker.telling(q)
        # the insats's own name says which insats, not which of its points: "privata
        # aktörer inom insatsen om krigsorganisation" asks for the point on private actors
        named = set(self.searcher.analyzer.terms(ins.name))
        telling = (telling - named) or telling
        scored = [
            (len(telling & set(self.searcher.analyzer.terms(text))), letter, text)
            for letter, text in ins.points
        ]
        best = max(s for s, _, _ in scored)
        # as with sentences (snippets.best_sentences): the points sharing nearly as much
        # come along ("för vilka produkter …": 6 c and 6 d both say which)
        points = ([(ltr, t) for s, ltr, t in scored if s >= max(1, best - 1)] if best > 0
                  else ins.points)  # fmt: skip
        cite = Citer(k)
        cite.cite(ins.source)
        lines = [f"Överenskommelsen 2023, insats {ins.number} – {ins.name}:"]
        lines += [f"{ltr}) {t}" for ltr, t in points]
        # an area of MSB's list that matches nearly as well adds the LEH side of the task
        area_hit = next((h for h in hits[1:4] if h.kind in ("area", "support")), None)
        if area_hit and area_hit.score >= 0.8 * top.score and u.intent in ("task", "search"):
            a = next(a for a in k.areas if a.id == area_hit.ref)
            cite.cite(a.source)
            lines += ["", f"Enligt MSB:s lista ({a.name}, {a.domain}):"]
            lines += [f"• {t}" for t in a.tasks]
        return Answer("\n".join(lines), True, "task", cite.all())

    def has_insats(self, number: int | None) -> TypeGuard[int]:
        return any(i.number == number for i in self.knowledge.insatser)

    def insats(self, number: int, point: str | None = None) -> Answer:
        """One of the 2023 agreement's insatser: every point, or the one asked for."""
        ins = next(i for i in self.knowledge.insatser if i.number == number)
        cite = Citer(self.knowledge)
        cite.cite(ins.source)
        lines = [f"Överenskommelsen 2023, insats {ins.number} – {ins.name}:"]
        chosen = [(ltr, t) for ltr, t in ins.points if point and ltr in point] or list(ins.points)
        lines += [f"{ltr}) {t}" for ltr, t in chosen]
        return Answer("\n".join(lines), True, "task", cite.all())

    def insatser_list(self) -> Answer:
        """'Vilka är insatserna?': the agreement's insatser 1-7 by name."""
        k = self.knowledge
        cite = Citer(k)
        cite.cite(k.insatser[0].source)
        lines = ["Överenskommelsen 2023 har sju insatser:"]
        lines += [f"{i.number}. {i.name}" for i in k.insatser]
        lines.append("Skriv till exempel ”insats 3” för vad en insats innebär.")
        return Answer("\n".join(lines), True, "task", cite.all())
