"""Rendering answers as Telegram HTML, splitting long ones, and the retry policy."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram.error import BadRequest, Forbidden, RetryAfter, TimedOut

from bot.engine.answer import Answer, Citation
from bot.telegram.send import RetryPolicy, render_html, split_message, with_retries


def test_everything_from_documents_and_users_is_escaped():
    a = Answer(
        "A <b> & B",
        True,
        "fact",
        (Citation("Titel <x>", "Avsnitt & 1", 'https://e.se/?a=1&b="2"'),),
    )
    html = render_html(a)
    assert html.startswith("A &lt;b&gt; &amp; B")
    assert "<i>Källa: Titel &lt;x&gt;, Avsnitt &amp; 1" in html
    assert 'href="https://e.se/?a=1&amp;b=&quot;2&quot;"' in html


def test_long_messages_split_on_lines_within_the_limit():
    text = "\n".join(f"rad {i} " + "x" * 50 for i in range(300))
    parts = split_message(text, limit=1000)
    assert all(len(p) <= 1000 for p in parts)
    assert "\n".join(parts) == text
    assert split_message("kort") == ["kort"]
    assert all(len(p) <= 10 for p in split_message("y" * 35, limit=10))


class Flaky:
    def __init__(self, *errors):
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


@pytest.fixture
def slept():
    return []


@pytest.fixture
def policy(slept):
    async def sleep(s):
        slept.append(s)

    return RetryPolicy(network_attempts=3, rate_limit_attempts=3, backoff=1, sleep=sleep)


async def test_retry_after_waits_as_told_then_succeeds(policy, slept):
    call = Flaky(RetryAfter(4), RetryAfter(2))
    assert await with_retries(call, policy) == "ok"
    assert slept == [4.0, 2.0] and call.calls == 3


async def test_network_errors_back_off_and_give_up(policy, slept):
    call = Flaky(TimedOut(), TimedOut(), TimedOut(), TimedOut())
    with pytest.raises(TimedOut):
        await with_retries(call, policy)
    assert call.calls == 3 and slept == [1, 2]


@pytest.mark.parametrize("error", [Forbidden("bot was blocked"), BadRequest("chat not found")])
async def test_errors_that_cannot_heal_are_not_retried(policy, slept, error):
    call = Flaky(error)
    with pytest.raises(type(error)):
        await with_retries(call, policy)
    assert call.calls == 1 and slept == []


def _telegram_accepts(part: str) -> bool:
    """What Telegram checks of HTML: known entities only, tags closed in order."""
    import re
    from html.parser import HTMLParser

    if re.search(r"&(?!(?:amp|lt|gt|quot|#\d+);)", part):
        return False
    stack: list[str] = []
    ok = [True]

    class Check(HTMLParser):
        def handle_starttag(self, tag, attrs):
            stack.append(tag)

        def handle_endtag(self, tag):
            if not stack or stack.pop() != tag:
                ok[0] = False

    Check(convert_charrefs=True).feed(part)
    return ok[0] and not stack


def _visible(html_text: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", html_text)).replace("\n", "")


@given(
    st.lists(
        st.tuples(st.sampled_from(["", "i", "b"]), st.text(alphabet="ab &<>\n", max_size=400)),
        min_size=1, max_size=8,
    ),  # fmt: skip
    st.integers(min_value=60, max_value=300),
)
def test_no_part_breaks_an_entity_or_a_tag(pieces, limit):
    from bot.telegram.send import esc

    text = "".join(f"<{t}>{esc(s)}</{t}>" if t else esc(s) for t, s in pieces)
    parts = split_message(text, limit=limit)
    assert all(len(p) <= limit for p in parts)
    assert all(_telegram_accepts(p) for p in parts), parts
    assert "".join(_visible(p) for p in parts) == _visible(text)  # nothing lost or added


def test_a_command_followed_by_thousands_of_ampersands_arrives_whole():
    from bot.telegram.send import esc

    text = esc("/bevaka " + "&" * 5000)
    parts = split_message(text)
    assert len(parts) == 7 and all(_telegram_accepts(p) for p in parts)  # 25,000 characters
    assert "".join(parts) == text
