"""Repairs of extracted text: hyphenation, running headers, footnotes, bullets, headings."""

from index.clean import clean_text, split_sections, to_markdown


def test_words_hyphenated_across_lines_are_joined():
    assert "i uppdrag att kartlägga" in clean_text(
        "Socialstyrelsen fick i upp-\n\ndrag att kartlägga"
    )
    assert "den kommunala vården." in clean_text("Det gäller den kommu-\nnala vården.")
    text = clean_text("Regionen genomför under 2023 cybersårbarhets-\ntester.")
    assert "cybersårbarhetstester." in text
    assert "-" not in text


def test_real_hyphens_are_kept():
    text = clean_text(
        "arbetet inom hälso-\noch sjukvården, risk-\neller sårbarhetsanalys, E-\n"
        "hälsomyndigheten och IVA-\nresurser."
    )
    assert "hälso- och sjukvården" in text
    assert "risk- eller sårbarhetsanalys" in text
    assert "E-hälsomyndigheten" in text
    assert "IVA-resurser" in text


def test_hyphen_in_a_url_stays():
    text = clean_text("Se https://www.msb.se/sv/det-\nsvenska-systemet/ för mer.")
    assert "https://www.msb.se/sv/det-svenska-systemet/" in text


def test_running_headers_and_page_numbers_go():
    header = "STÄRKT BEREDSKAP INOM KOMMUNAL VÅRD\n\nSOCIALSTYRELSEN\n\n{n}\n\n"
    raw = "".join(
        f"Text på sidan {n} säger något om beredskap.\n\n" + header.format(n=n) for n in (22, 23)
    )
    text = clean_text(raw)
    assert "STÄRKT BEREDSKAP" not in text and "SOCIALSTYRELSEN" not in text
    assert "Text på sidan 23 säger något om beredskap." in text
    assert "\n23\n" not in f"\n{text}\n" and "\n22\n" not in f"\n{text}\n"


def test_short_lines_repeated_at_page_breaks_go_but_repeated_labels_stay():
    page = (
        "Rapport 2023\nFörsta raden på sidan {n}.\n\nAndra stycket.\n\nTredje stycket.\n\n"
        "Stöd:\n\n- Vägledning {n}\n\nSista stycket.\n\nSlutet av sidan.\n\nAvslutning.\n\n{n}\n"
    )
    text = clean_text("\f".join(page.format(n=n) for n in range(1, 4)))
    assert "Rapport 2023" not in text
    assert text.count("Stöd:") == 3  # repeated, but away from the page edges
    assert "Första raden på sidan 2." in text


def test_repeated_lines_stay_without_page_breaks():
    raw = "Planering\n\nUppgift:\n\n- Revidera analysen\n\n" * 3
    assert clean_text(raw).count("Uppgift:") == 3


def test_footnote_blocks_and_glued_marks_are_removed():
    raw = (
        "Planen delredovisades under 20221. Kommunerna har ansvar enligt flera lagar och\n"
        "förordningar2. Den är dimensionerande för den civila beredskapen.3 I denna\n"
        "rapport används begreppet.\n" + " " * 54 + "\n"
        "1 Kartläggning av beredskapen. Stock-\n\nholm: Socialstyrelsen; 2022\n"
        "2 Redogörs i Långsiktig plan\n"
        "3 Det svenska civila beredskapssystemet\n"
        " Nästa sida tar upp 4 saker om E4 och ISO 27001.\n"
    )
    text = clean_text(raw)
    assert "under 2022. Kommunerna" in text
    assert "förordningar. Den" in text
    assert "civila beredskapen. I denna rapport" in text
    assert "Kartläggning av beredskapen" not in text and "Stockholm" not in text
    assert "Nästa sida tar upp 4 saker om E4 och ISO 27001." in text


def test_body_text_after_footnotes_is_kept():
    body = "Kommunerna behöver stöd i att ta fram beredskapsplaner för att kunna hantera\n" * 5
    raw = (
        body
        + " " * 54
        + "\n1 Kartläggning. Socialstyrelsen; 2022\n"
        + "Socialstyrelsen och länsstyrelserna avser att utveckla en struktur för ut-\n"
        + "ökad samverkan.\n"
    )
    text = clean_text(raw)
    assert "utveckla en struktur för utökad samverkan." in text  # a text box, not a note
    assert "Kartläggning" not in text


def test_double_spaced_lines_make_paragraphs():
    paragraph = (
        "Socialstyrelsen och länsstyrelserna fick den 8 juli 2021 i uppdrag att\n\n"
        "kartlägga den kommunala hälso- och sjukvårdens och socialtjänstens beredskap\n\n"
        "samt identifiera dess behov av stöd.\n\n"
    )
    paragraphs = clean_text(paragraph * 4).strip().split("\n\n")
    assert len(paragraphs) == 4  # a short line ending a sentence ends its paragraph
    assert paragraphs[0] == " ".join(ln for ln in paragraph.split("\n") if ln)


def test_digits_that_are_no_defined_footnote_stay():
    text = clean_text("Under 20221. Regionerna har 21 regioner och MSB2.\n")
    assert text.strip() == "Under 20221. Regionerna har 21 regioner och MSB2."


def test_bullets_become_list_items():
    text = clean_text(
        "Stödet riktar sig till:\n\n• Informationssäkerhet\n\n\uf0b7 Teknisk infrastruktur\n"
        "− planering för nationell samordning\n- Utbildning och övning\n"
    )
    assert text.strip().split("\n") == [
        "Stödet riktar sig till:",
        "",
        "- Informationssäkerhet",
        "- Teknisk infrastruktur",
        "- planering för nationell samordning",
        "- Utbildning och övning",
    ]


def test_lines_of_a_paragraph_are_joined_and_spaces_collapsed():
    text = clean_text(
        "Till innehåll på sidan\n\nNyckelpersoner  ska   ges\nkunskaper om   höjd\f\n"
    )
    assert text == "Nyckelpersoner ska ges kunskaper om höjd\n"


def test_headings():
    md = to_markdown(
        "2.   Övergripande inriktning\nFör att få ta del av medlen ska regionerna delta.\n\n"
        "1.1   Totalförsvarspropositionen\nRiksdagen antog beslutet om propositionen.\n\n"
        "Bakgrund\nUtgångspunkten är lagen om extraordinära händelser i fredstid.\n\n"
        "Bilaga 1\nRegion Blekinge 158 876\n",
        title="Överenskommelse",
    )
    lines = md.split("\n")
    assert lines[0] == "# Överenskommelse"
    assert "# 2. Övergripande inriktning" in lines
    assert "## 1.1 Totalförsvarspropositionen" in lines
    assert "## Bakgrund" in lines
    assert "# Bilaga 1" in lines
    # a sentence broken after a proper noun is no heading
    assert "## Riksdagen antog beslutet om propositionen." not in lines


def test_a_title_that_opens_the_text_is_said_once():
    md = to_markdown(
        "Samlat stöd till regioner\n\nRegionerna får statlig ersättning.\n",
        "Samlat stöd till regioner",
    )
    assert md == "# Samlat stöd till regioner\n\nRegionerna får statlig ersättning.\n"


def test_a_wrapped_numbered_heading_is_one_heading():
    md = to_markdown(
        "1.   En förändrad hotbild ställer högre krav på beredskapen och ett\n"
        "intensifierat arbete\n\nRiksdagen antog den 15 december 2020 beslut om propositionen.\n"
    )
    assert md.startswith(
        "# 1. En förändrad hotbild ställer högre krav på beredskapen och ett intensifierat arbete\n"
    )


def test_numbered_list_items_are_no_headings():
    md = to_markdown(
        "Förslag till beslut:\n1. Regionstyrelsen beslutar att delta i det\n"
        "regiongemensamma arbetet.\n2. Regiondirektören ska hålla styrelsen informerad.\n"
    )
    assert "#" not in md
    assert "1. Regionstyrelsen beslutar att delta i det regiongemensamma arbetet." in md


def test_split_sections():
    md = to_markdown(
        "Inledning\n\nUppdraget\nSocialstyrelsen fick i uppdrag att kartlägga beredskapen.\n\n"
        "Genomförande\nRapporten är framtagen av Socialstyrelsen och länsstyrelserna.\n",
        title="Stärkt beredskap",
    )
    sections = split_sections(md)
    assert [s.heading for s in sections] == ["Uppdraget", "Genomförande"]
    assert sections[0].text == "Socialstyrelsen fick i uppdrag att kartlägga beredskapen."
    assert sections[1].level == 2


def test_split_sections_keeps_parents_and_introduction():
    md = (
        "# Titel\n\nInledande text.\n\n# Del A\n\n## Rapportering\n\nA-text.\n\n"
        "# Del B\n\n## Rapportering\n\nB-text.\n"
    )
    sections = split_sections(md)
    assert sections[0].heading == "Inledning" and sections[0].text == "Inledande text."
    assert [s.path for s in sections[1:]] == [["Del A", "Rapportering"], ["Del B", "Rapportering"]]
    assert [s.level for s in sections[1:]] == [2, 2]


def test_a_numbered_first_heading_is_no_title():
    sections = split_sections("# 1. Inledning\n\nText.\n\n# 2. Bakgrund\n\nMer text.\n")
    assert [(s.heading, s.text) for s in sections] == [
        ("1. Inledning", "Text."),
        ("2. Bakgrund", "Mer text."),
    ]


def test_numbered_headings_get_the_level_of_their_numbering():
    md = to_markdown(
        "Plan för reservkraft\n\n"
        "1. Syfte\nPlanen beskriver hur reservkraften provas.\n\n"
        "2. Ansvar\nDriftchefen ansvarar för provkörningen.\n\n"
        "2.3 Rapportering\nResultatet rapporteras varje månad.\n\n"
        "2.3.1 Avvikelser\nEtt fel rapporteras inom en timme.\n",
        title="Plan för reservkraft",
    )
    sections = split_sections(md)
    assert [(s.heading, s.level) for s in sections] == [
        ("1. Syfte", 1), ("2. Ansvar", 1), ("2.3 Rapportering", 2), ("2.3.1 Avvikelser", 3),
    ]  # fmt: skip
    assert sections[3].path == ["2. Ansvar", "2.3 Rapportering", "2.3.1 Avvikelser"]


def test_numbered_lines_that_are_items_dates_or_amounts_are_no_headings():
    md = to_markdown(
        "Avtalet har två parter.\n\n"
        "Parter:\n1. Kommunen\n2. Regionen\n\n"  # a list under a colon
        "Stycket fortsätter.\n\n"
        "1. Ett kort förslag\n2. Ett annat förslag\n\n"  # items among items
        "Utbetalningen görs.\n\n1. Januari 2027\nDå betalas stödet ut.\n\n"  # a date
        "Beloppet är fastställt.\n\n2.5 Mkr\nGår till reservkraft.\n"  # an amount
    )
    assert "#" not in md


def test_paragraphs_from_html_or_word_that_are_numbered_headings_become_headings():
    from index.clean import blocks_markdown

    md = blocks_markdown([
        (1, "Rutin"),
        (0, "1. Syfte"), (0, "Rutinen beskriver provet."),
        (0, "3.1.2   Larm"), (0, "Larmet går till jouren."),
        (0, "Gör så här:"), (0, "1. Ring jouren"), (0, "2. Skriv en rapport"),
    ])  # fmt: skip
    assert md.split("\n\n") == [
        "# Rutin", "# 1. Syfte", "Rutinen beskriver provet.", "### 3.1.2 Larm",
        "Larmet går till jouren.", "Gör så här:", "1. Ring jouren", "2. Skriv en rapport",
    ]  # fmt: skip


def test_page_markers_and_links_go_into_the_sections():
    md = (
        "# Plan\n\n<!-- sida 1 -->\n\n# 1. Syfte\n\nSe [MSB:s sida](https://www.msb.se/a).\n\n"
        "<!-- sida 2 -->\n\nMer text på sidan två.\n\n<!-- sida 3 -->\n\n# 2. Ansvar\n\nText.\n\n"
        "# 3. Bilagor\n\n<!-- sida 4 -->\n\nBilagorna.\n"  # a heading at the foot of page 3
    )
    syfte, ansvar, bilagor = split_sections(md)
    assert syfte.text == "Se MSB:s sida.\n\nMer text på sidan två."
    assert syfte.links == [("MSB:s sida", "https://www.msb.se/a")]
    assert (syfte.page_span(), syfte.page_span(0, 10), syfte.page_span(16)) == ("1–2", "1", "2")
    assert (ansvar.page_span(), ansvar.links) == ("3", [])
    assert (bilagor.text, bilagor.page_span(), bilagor.page_span(1)) == ("Bilagorna.", "3–4", "4")
    assert split_sections("# T\n\nUtan sidor.\n")[0].page_span() is None


def test_links_are_written_so_that_they_read_back():
    from index.clean import markdown_link, unlink

    odd = "https://sv.example.org/wiki/Reservkraft_(el)"
    for text, url in (("MSB", "https://www.msb.se/a?b=1&c=2"), ("Wiki", odd)):
        assert unlink(f"Se {markdown_link(text, url)}.") == (f"Se {text}.", [(text, url)])
    assert markdown_link("Klicka", "javascript:alert(1)") == "Klicka"
    assert markdown_link("[x]", "https://www.msb.se") == "[x]"
