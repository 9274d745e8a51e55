"""One cleaning of what users type, for every front end."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.engine.question_text import clean


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<b>hej</b> &amp; … när ska RSA rapporteras?", "hej & … när ska RSA rapporteras?"),
        ("&lt;b&gt;När&lt;/b&gt; ska RSA rapporteras?", "När ska RSA rapporteras?"),
        ("När ska R\u200bSA rap\u00adporteras?", "När ska RSA rapporteras?"),
        ("\u202eNär\u202c ska\tRSA\n\nrapporteras?\ufeff", "När ska RSA rapporteras?"),
        ('<a href="https://x.se">länk</a> tilldelning 2023', "länk tilldelning 2023"),
        ("regioner med < 300 000 invånare", "regioner med < 300 000 invånare"),
        ("5 > 3 & 2 < 4", "5 > 3 & 2 < 4"),
    ],
)
def test_markup_and_invisible_characters_go_the_words_stay(raw, expected):
    assert clean(raw) == expected


@given(st.text())
def test_no_invisible_or_control_character_survives(text):
    out = clean(text)
    assert not any(c in out for c in "\u00ad\u200b\u200e\u202e\ufeff\x00\n\t")
    assert out == out.strip() and "  " not in out


@given(st.lists(st.text(alphabet="abcåäöRSA0123456789?.,-", min_size=1), min_size=1))
def test_plain_words_come_through_unchanged(words):
    assert clean(" ".join(words)) == " ".join(words)
