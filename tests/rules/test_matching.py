"""What a query finds, language by language: (query, title, text, language) → matches or not."""

from __future__ import annotations

import pytest

from monitor.rules import Document, RuleSpec, compile_rules

CONCEPTS = {
    "north_korea": ["North Korea", "DPRK", "Pyongyang", "Corée du Nord", "nord-coréen*", "КНДР", "Пхеньян"],
    "drones": ["Shahed", "Geran", "Герань", "Шахед*", "@kamikaze"],
    "kamikaze": ["kamikaze drone", "drone kamikaze"],
}


def matches(query: str, text: str, language: str | None, title: str = "") -> bool:
    """Whether a one-rule matcher matches, checked against the naive evaluator on the way."""
    matcher = compile_rules([RuleSpec("r", query)], CONCEPTS)
    document = Document(title=title, text=text, language=language)
    found = [m.rule for m in matcher.match(document)]
    assert found == [m.rule for m in matcher.match_all(document)]
    return found == ["r"]


CASES = [
    # words, case, accents, inflections (Snowball stemming in the article's language)
    ("drone", "Two drones were seen.", "en", True),
    ("production", "New productions started.", "en", True),
    ("drone", "The dronesque style.", "en", False),
    ("Corée", "la coree du nord", "fr", True),
    ("coree", "LA CORÉE DU NORD", "fr", True),
    ("CORÉE", "La Corée du Nord", "fr", True),
    ("usine", "Les usines tournent.", "fr", True),
    ("Fabrik", "Die Fabriken in Jelabuga", "de", True),
    ("Straße", "die Strasse nach Rason", "de", True),
    ("завод", "на заводах в Елабуге", "ru", True),
    ("снаряд", "поставки снарядов", "ru", True),
    # French elisions and apostrophe variants
    ("usine", "l'usine d'Alabuga", "fr", True),
    ("usine", "l’usine", "fr", True),
    ("Alabuga", "près d’Alabuga", "fr", True),
    ('"usine d\'Alabuga"', "l’usine d’Alabuga produit", "fr", True),
    ("armement", "qu’armement", "fr", True),
    ("Russia", "Russia's drone plant", "en", True),
    # Cyrillic keeps й and ї apart from и and і; ё is е
    ("Київ", "Удар по Києву та Київ", "uk", True),
    ("Киів", "Удар по Київ", "uk", False),
    ("мій", "мій дім", "uk", True),
    ("мии", "мій дім", "uk", False),
    ("елка", "Ёлка", "ru", True),
    ("п'ять", "п’ять вагонів", "uk", True),
    # Ukrainian (no Snowball stemmer) meets through simplemma's lemmas; prefixes still work
    ("вагон", "п’ять вагонів", "uk", True),
    ("вагонів", "їхали вагонами", "uk", True),
    ("вагон*", "п’ять вагонів", "uk", True),
    ("Київ", "Вибухи в Києві", "uk", True),
    ("Києва", "Вибухи в Києві", "uk", True),
    ("Київ", "Мер Києва заявив", "uk", True),
    ("Росія", "угода з Росією", "uk", True),
    ("Росією", "Росія та Іран", "uk", True),
    ("безпілотник", "сотні безпілотників", "uk", True),
    ("виробляти", "завод виробляє дрони", "uk", True),
    ("вагон", "вагоновожатий", "uk", False),
    ("Київ", "київський торт", "uk", False),
    # Greek: accents and case folded on both sides
    ("Αθήνα", "ΑΘΗΝΑ: ΣΥΝΑΝΤΗΣΗ", "el", True),
    ("Αθήνα", "στην αθηνα σήμερα", "el", True),
    ("ΑΘΗΝΑ", "Στην Αθήνα σήμερα", None, True),
    # Chinese, Japanese, Korean: character bigrams, with or without a language
    ("无人机", "俄罗斯无人机工厂扩大生产", "zh", True),
    ("无人机", "俄罗斯无人机工厂扩大生产", None, True),
    ('"无人机工厂"', "俄罗斯无人机工厂扩大生产", "zh", True),
    ("无人机 NEAR/6 生产", "俄罗斯无人机工厂扩大生产", "zh", True),  # NEAR counts bigrams (characters)
    ("无人机 NEAR/4 生产", "俄罗斯无人机工厂扩大生产", "zh", False),
    ("无人机", "俄罗斯无人工厂", "zh", False),
    ("工厂 -无人机", "俄罗斯无人机工厂", "zh", False),
    ("ドローン工場", "ロシアのドローン工場が拡大", "ja", True),
    ("ドローン", "ロシアのドローン工場", "ja", True),
    ("드론", "러시아가 드론을 생산한다", "ko", True),
    ("드론 생산", "러시아가 드론을 생산한다", "ko", True),
    ("@drones", "俄罗斯生产Shahed无人机", "zh", True),
    # other languages without Snowball: lemmas too
    ("Rosja", "sankcje wobec Rosji", "pl", True),
    ("wagon", "długie wagony", "pl", True),
    # hyphenated words and numbers
    ("nord-coréen", "un officier nord coréen", "fr", True),
    ("nord-coréen", "un officier nord-coréen", "fr", True),
    ("shahed", "des Shahed-136 lancés", "fr", True),
    ("Shahed-136", "Shahed 136 drones", "en", True),
    ("136", "Shahed-136", "en", True),
    ("Geran-2", "Geran-2 drones", "en", True),
    # phrases are consecutive words, analysed like words
    ('"North Korea"', "North Korea's troops", "en", True),
    ('"North Korea"', "Korea, north of", "en", False),
    ('"rail freight"', "freight by rail", "en", False),
    # prefixes
    ("munit*", "munitions et munitionnaires", "fr", True),
    ("Туманган*", "станция Туманганская", "ru", True),
    ("trans*", "a transfer", "en", True),
    ("trans*", "a tran", "en", False),
    # boolean operators; lowercase or/and/not are words
    ("drone AND usine", "drone dans l'usine", "fr", True),
    ("drone usine", "drone seul", "fr", False),
    ("drone OR usine", "usine seule", "fr", True),
    ("drone -attaque", "drone et attaque", "fr", False),
    ("drone NOT attaque", "drone seul", "fr", True),
    ("(drone OR Shahed) AND (usine OR factory)", "Shahed factory", "en", True),
    ("drone or usine", "drone or usine", "fr", True),
    ("drone or usine", "drone usine", "fr", False),
    # NEAR (either order) and ONEAR (in order); n is the number of words allowed between
    ("drone NEAR/2 factory", "drone assembly line factory", "en", True),
    ("drone NEAR/1 factory", "drone assembly line factory", "en", False),
    ("drone NEAR/1 factory", "factory drone", "en", True),
    ("drone ONEAR/1 factory", "factory drone", "en", False),
    ("drone ONEAR/3 factory", "drone in the factory", "en", True),
    ("drone NEAR factory", "drone " + "x " * 10 + "factory", "en", True),
    ("drone NEAR factory", "drone " + "x " * 11 + "factory", "en", False),
    ('"Shahed drones" NEAR/3 (plant OR factory)', "a factory for Shahed drones", "en", True),
    ("drone NEAR/5 produc*", "drones are produced", "en", True),
    ("drone NEAR drone", "one drone only", "en", False),
    ("(drone NEAR/1 factory) NEAR/2 Russia", "drone factory in Russia", "en", True),
    # concepts, nested, as NEAR operands
    ("@north_korea", "des soldats nord-coréens", "fr", True),
    ("@north_korea", "la Corée du Nord", "fr", True),
    ("@north_korea", "Коре́я", "ru", False),
    ("@north_korea", "поставки из КНДР", "ru", True),
    ("@drones", "a kamikaze drone", "en", True),
    ("@drones NEAR/3 factory", "Geran drone factory", "en", True),
    # names across scripts: capitalised Latin words of 4+ letters find Cyrillic spellings
    ("Shahed", "атака шахедов", "ru", True),
    ("Shahed", "запуск Шахедів", "uk", False),
    ("Shahed*", "запуск Шахедів", "uk", False),
    ("Kyiv", "удар по Київ", "uk", True),
    ("Kyiv", "удар по Києву", "uk", True),
    ("Kyiv", "удар по Киеву", "ru", True),
    ("Zelensky", "Зеленський заявив", "uk", True),
    ("Zelensky", "заявление Зеленского", "ru", True),
    ("Alabuga", "в Алабуге", "ru", True),
    ("Geran", "Герань-2", "ru", True),
    ("Tumangang", "через Туманган", "ru", True),
    ("Khasan", "станция Хасан", "ru", True),
    ("shahed", "атака шахедов", "ru", False),
    ("Mir", "мир", "ru", False),
    # no language: Latin words stemmed as English, Cyrillic as Russian
    ("drone", "drones", None, True),
    ("завод", "заводах", None, True),
]


@pytest.mark.parametrize(("query", "text", "language", "expected"), CASES)
def test_query_on_text(query: str, text: str, language: str | None, expected: bool) -> None:
    assert matches(query, text, language) is expected


FIELD_CASES = [
    ("title:drone", "Drones", "", True),
    ("title:drone", "", "drones", False),
    ("text:drone", "Drones", "", False),
    ("text:(drone OR Shahed)", "", "Shahed", True),
    ("title:(drone AND usine)", "drone", "usine", False),
    ('title:"drone factory"', "Drone factory", "", True),
    ("drone NEAR/1 factory", "drone", "factory", False),
    ('"drone factory"', "drone", "factory", False),
    ("drone factory", "drone", "factory", True),
]


@pytest.mark.parametrize(("query", "title", "text", "expected"), FIELD_CASES)
def test_field_scopes(query: str, title: str, text: str, expected: bool) -> None:
    assert matches(query, text, "en", title=title) is expected


FILTER_CASES = [
    ("drone lang:fr", Document("", "drone", "fr-FR"), True),
    ("drone lang:fr", Document("", "drone", "en"), False),
    ("drone site:example.com", Document("", "drone", url="https://news.example.com/a"), True),
    ("drone site:example.com", Document("", "drone", url="https://example.com/a"), True),
    ("drone site:example.com", Document("", "drone", url="https://badexample.com/a"), False),
    ("drone source:Kyiv-Independent", Document("", "drone", source="kyiv-independent"), True),
    ('drone source:"Le Monde"', Document("", "drone", source="Le Monde"), True),
    ('drone -source:"Le Monde"', Document("", "drone", source="Le Monde"), False),
]


@pytest.mark.parametrize(("query", "document", "expected"), FILTER_CASES)
def test_document_filters(query: str, document: Document, expected: bool) -> None:
    matcher = compile_rules([RuleSpec("r", query)])
    assert bool(matcher.match(document)) is expected


def test_one_rule_written_once_matches_a_french_and_an_english_article() -> None:
    rule = RuleSpec("nk", "@north_korea NEAR/8 (munition* OR shells OR obus)")
    matcher = compile_rules([rule], CONCEPTS)
    french = Document("Obus", "La Corée du Nord livre des obus à la Russie.", "fr")
    english = Document("Shells", "North Korea ships artillery shells to Russia.", "en")
    assert [m.rule for m in matcher.match(french)] == ["nk"]
    assert [m.rule for m in matcher.match(english)] == ["nk"]


def test_a_match_explains_itself_with_terms_offsets_and_a_snippet() -> None:
    matcher = compile_rules([RuleSpec("r", 'title:Shahed OR ("usine" NEAR/3 Alabuga)')])
    text = "Selon des sources, l’usine d’Alabuga produit désormais des Shahed."
    [match] = matcher.match(Document("Les Shahed d’Alabuga", text, "fr"))
    assert match.terms == ("Shahed", '"usine"', "Alabuga")
    spans = [(h.field, h.start, h.end) for h in match.highlights]
    assert spans == [("title", 4, 10), ("text", 21, 26), ("text", 29, 36)]
    assert text[21:26] == "usine" and text[29:36] == "Alabuga"
    assert match.snippet == "Selon des sources, l’«usine» d’«Alabuga» produit désormais des Shahed."


def test_snippet_is_about_200_characters_around_the_first_match() -> None:
    text = "lorem ipsum " * 40 + "a Shahed factory " + "dolor sit " * 40
    [match] = compile_rules([RuleSpec("r", "Shahed")]).match(Document("", text, "en"))
    assert "«Shahed»" in match.snippet
    assert match.snippet.startswith("…") and match.snippet.endswith("…")
    assert 150 <= len(match.snippet) <= 230


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("drone factory", "A drone factory", "rule 'r' matches: drone found as “drone”; factory…"),
        ("drone factory", "A drone", "rule 'r' does not match: factory is not in the article"),
        ("drone -attack", "drone attack", "rule 'r' does not match: excluded because attack found as “at…"),
        (
            "drone NEAR/1 factory",
            "drone x y factory",
            "rule 'r' does not match: drone and factory occur but never within 1 words",
        ),
        ("drone lang:fr", "drone", "rule 'r' does not match: lang is en, not fr"),
        ("title:drone", "drone", "rule 'r' does not match: drone is not in the title"),
    ],
)
def test_explain_says_why(query: str, text: str, expected: str) -> None:
    matcher = compile_rules([RuleSpec("r", query)])
    explanation = matcher.explain("r", Document("", text, "en"))
    assert explanation == expected or explanation.startswith(expected.removesuffix("…"))


def test_a_cjk_run_counts_as_its_bigrams_whether_or_not_another_rule_uses_cjk_words() -> None:
    document = Document(title="", text="Shahed 无人机 factory; Shahed 无 factory", language=None)
    alone = compile_rules([RuleSpec("r", "Shahed ONEAR/1 factory")], {})
    beside = compile_rules([RuleSpec("r", "Shahed ONEAR/1 factory"), RuleSpec("zh", "无人机")], {})
    for matcher in (alone, beside, alone):
        found = [match for match in matcher.match(document) if match.rule == "r"]
        assert [(h.start, h.end) for h in found[0].highlights] == [(20, 26), (29, 36)]  # the second pair
