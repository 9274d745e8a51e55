"""Repairs of extracted text: hyphenation, running headers, footnotes, bullets, headings."""

from index.clean import clean_text, split_sections, to_markdown


def test_words_hyphenated_across_lines_are_joined():
    assert "uppdrag att kartlägga" in clean_text("fick i upp-\n\ndrag att kartlägga\n")
    assert "kommunala" in clean_text("den kommu-\nnala vården.")


def test_real_hyphens_are_kept():
    text = clean_text(
        "arbetet inom hälso-\noch sjukvården och E-\nhälsomyndigheten och IVA-\nresurser."
    )
    assert "hälso- och sjukvården" in text
    assert "E-hälsomyndigheten" in text and "IVA-resurser" in text


def test_running_headers_and_page_numbers_go():
    page = "RAPPORT OM BEREDSKAP\n\nText på sidan {n} fortsätter här.\n\n{n}\n"
    raw = "\f".join(page.format(n=n) for n in range(1, 5))
    text = clean_text(raw)
    assert "RAPPORT OM BEREDSKAP" not in text
    assert "Text på sidan 3 fortsätter här." in text
    assert "\n3\n" not in f"\n{text}\n"


def test_footnote_blocks_and_glued_marks_are_removed():
    raw = (
        "Kommunerna har ansvar enligt flera lagar och förordningar2. Planen togs fram under\n"
        "20221. Mer text.\n" + " " * 40 + "\n"
        "1 Kartläggning av beredskapen. Stockholm: Socialstyrelsen; 2022\n"
        "2 Redogörs i Långsiktig plan\n"
        " Nästa sida börjar här.\n"
    )
    text = clean_text(raw)
    assert "förordningar." in text and "under 2022." in text
    assert "Kartläggning av beredskapen" not in text
    assert "Nästa sida börjar här." in text


def test_bullets_become_list_items():
    text = clean_text(
        "Stödet riktar sig till:\n\n• Informationssäkerhet\n\n\uf0b7 Teknisk infrastruktur\n"
    )
    assert "- Informationssäkerhet" in text and "- Teknisk infrastruktur" in text


def test_headings_and_sections():
    md = to_markdown(
        "1.1   Totalförsvarspropositionen\nRiksdagen antog beslutet.\n\n"
        "Bakgrund\nUtgångspunkten är lagen.\n",
        title="Överenskommelse",
    )
    assert md.startswith("# Överenskommelse\n")
    assert "## 1.1 Totalförsvarspropositionen" in md and "## Bakgrund" in md
    sections = split_sections(md)
    assert [s.heading for s in sections] == ["1.1 Totalförsvarspropositionen", "Bakgrund"]
    assert sections[1].text == "Utgångspunkten är lagen."


def test_split_sections_keeps_parents_and_introduction():
    md = (
        "# Titel\n\nInledande text.\n\n# Del A\n\n## Rapportering\n\nA-text.\n\n"
        "# Del B\n\n## Rapportering\n\nB-text.\n"
    )
    sections = split_sections(md)
    assert sections[0].heading == "Inledning" and sections[0].text == "Inledande text."
    assert [s.path for s in sections[1:]] == [["Del A", "Rapportering"], ["Del B", "Rapportering"]]
