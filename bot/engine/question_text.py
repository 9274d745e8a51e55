"""What a user typed, as the engine should read it: the same for Telegram, the terminal
chat and `ask`. Pasted text brings markup and invisible characters along: HTML tags and
entities ("<b>hej</b> &amp; …", "&lt;b&gt;"), soft hyphens and zero-width or bidi marks
inside words, control characters. None of them is part of the question."""

from __future__ import annotations

import html
import re

MAX_CHARS = 4096  # Telegram's limit for one message; the command line reads no more either
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# zero-width and joiners, bidi marks and isolates, word joiner, BOM, soft hyphen
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")


def clean(raw: str) -> str:
    """Markup, invisible and control characters out; whitespace runs made one space."""
    text = raw
    for _ in range(2):  # "&lt;b&gt;" unescapes to a tag, which goes too
        text = _TAG.sub(" ", html.unescape(text))
    text = _INVISIBLE.sub("", _CONTROL.sub(" ", text))
    return " ".join(text.split())
