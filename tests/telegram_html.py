"""What Telegram accepts as parse_mode=HTML, checked strictly: the supported tags only,
properly nested, and no entities but &lt; &gt; &amp; &quot; and numeric ones."""

from __future__ import annotations

import re
from html.parser import HTMLParser

TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
    "a", "code", "pre", "blockquote", "tg-emoji",
}  # fmt: skip
ATTRIBUTES = {"a": {"href"}, "span": {"class"}, "code": {"class"}, "blockquote": {"expandable"}}
LIMIT = 4096  # characters per message


class _Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in TAGS:
            self.problems.append(f"tag <{tag}>")
        bad = {name for name, _ in attrs} - ATTRIBUTES.get(tag, set())
        if bad:
            self.problems.append(f"attributes {bad} on <{tag}>")
        self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open.pop() != tag:
            self.problems.append(f"</{tag}> does not close the open tag")

    def handle_entityref(self, name):
        if name not in ("lt", "gt", "amp", "quot"):
            self.problems.append(f"entity &{name};")


def problems(text: str) -> list[str]:
    found = []
    if len(text) > LIMIT:
        found.append(f"{len(text)} characters")
    # a bare "<" or "&" that is not markup or an entity is refused by Telegram
    if re.search(r"<(?![a-z/-])|&(?!(?:[a-z]+|#\d+|#x[0-9a-f]+);)", text, re.I):
        found.append("an unescaped < or &")
    checker = _Checker()
    checker.feed(text)
    checker.close()
    if checker.open:
        found.append(f"unclosed {checker.open}")
    return found + checker.problems
