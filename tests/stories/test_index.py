"""The pure story index: features across scripts, copies, bridges, the window, determinism."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.stories import ArticleFeatures, StoryIndex, features_of
from monitor.stories.features import counts_in_words, name_key, numbers

T0 = datetime(2026, 11, 4, 6, 0, tzinfo=UTC)
WIRE = (
    "Russia launched 45 Shahed attack drones at Ukraine overnight, the Ukrainian Air Force said, adding that "
    "38 of them were shot down. Two people were killed and nine wounded in Kyiv, mayor Vitali Klitschko said."
)


@pytest.mark.parametrize(
    ("spellings", "key"),
    [
        (["Kyiv", "Києві", "Киеве", "Kiew", "Kyjiw", "Kiev"], "kiv"),
        (["Alabuga", "Алабуге", "Алабузі"], "alabu"),
        (["Zelensky", "Зеленського", "Зеленский"], "zelen"),
        (["Tatarstan", "Татарстане"], "tatar"),
        (["Korea's", "Korea"], "kor"),
    ],
)
def test_names_meet_across_scripts_and_inflections(spellings: list[str], key: str) -> None:
    assert {name_key(word) for word in spellings} == {key}


@pytest.mark.parametrize(
    ("text", "strong", "weak"),
    [
        ("5,500 drones · 5 500 drones · 5.500 Drohnen · 5500 дронов", {"5500"}, set()),
        ("on 3 November 2026, 17 injured, 16.5%", {"16.5"}, {"3", "2026", "17"}),
        ("410 тисяч тонн · 410 000 t · 12 millions d'obus · 12 млн снарядов", {"410000", "12000000"}, set()),
        ("1,5 Mrd. Euro · 1.5 billion euros · 0,25 Prozentpunkte", {"1500000000", ".25"}, set()),
        ("1 300 km, 28 000 conteneurs, 120 wagons", {"1300", "28000", "120"}, set()),
    ],
)
def test_numbers_are_read_whatever_the_separator(text: str, strong: set[str], weak: set[str]) -> None:
    assert numbers(text) == (frozenset(strong), frozenset(weak))


def test_counts_written_in_words_are_numbers_too() -> None:
    text = "Two port workers… Deux employés… zwei Arbeiter… ранены два работника… поранено п’ятеро, двоє"
    assert counts_in_words(text) == {"2", "5"}
    assert counts_in_words("Un navire neuf, ein Schiff, one ship") == frozenset()


def _features(title: str, text: str, language: str, at: datetime = T0) -> ArticleFeatures:
    return features_of(title, text, language=language, at=at)


RUSSIAN = (
    "Россия атаковала Украину 45 беспилотниками «Шахед», 38 из них были сбиты. В Киеве погибли два человека, "
    "написал мэр Виталий Кличко."
)
OTHER_NIGHT = (
    "Russia attacked Ukraine with 72 Shahed drones overnight, the Ukrainian Air Force said, of which 61 were "
    "shot down. In Kyiv, five people were injured, mayor Vitali Klitschko said."
)


@pytest.mark.parametrize(
    ("title", "text", "language", "hours", "story"),
    [
        pytest.param(
            "Two dead as Russia pounds Kyiv", f"(AFP) — {WIRE} Follow us.", "en", 1, 10, id="wire copy"
        ),
        pytest.param("В Киеве погибли два человека", RUSSIAN, "ru", 2, 10, id="other language"),
        pytest.param("Warehouse ablaze in Kyiv", OTHER_NIGHT, "en", 48, None, id="another night, same city"),
    ],
)
def test_an_article_joins_the_story_of_the_same_event_only(
    title: str, text: str, language: str, hours: int, story: int | None
) -> None:
    index = StoryIndex()
    index.add(1, 10, _features("Russian drone attack on Kyiv kills two", WIRE, "en"))
    assert index.decide(_features(title, text, language, T0 + timedelta(hours=hours))).story == story


def test_a_copy_after_the_window_starts_a_new_story() -> None:
    index = StoryIndex(window=timedelta(hours=72))
    index.add(1, 10, _features("Russian drone attack on Kyiv kills two", WIRE, "en"))
    late = _features("Russian drone attack on Kyiv kills two", WIRE, "en", T0 + timedelta(hours=73))
    assert index.decide(late).story is None
    assert index.prune(T0 + timedelta(hours=73)) == 1
    assert len(index) == 0


def test_pruning_an_old_story_keeps_the_copies_of_a_recent_one_findable() -> None:
    """The old story and the recent one share every key: pruning the old one keeps the recent one's."""
    index = StoryIndex(window=timedelta(hours=72))
    index.add(1, 10, _features("Russian drone attack on Kyiv kills two", WIRE, "en"))
    index.add(
        2, 11, _features("Russian drone attack on Kyiv kills two", WIRE, "en", T0 + timedelta(hours=50))
    )
    index.add(3, 11, _features("Copy", WIRE, "en", T0 + timedelta(hours=51)))
    assert index.prune(T0 + timedelta(hours=100)) == 1
    copy = _features("Another copy", WIRE, "en", T0 + timedelta(hours=101))
    assert index.decide(copy).story == 11
    assert index.prune(T0 + timedelta(hours=200)) == 1
    assert index.decide(copy).story is None


def test_an_article_bridging_two_stories_merges_them_into_the_oldest() -> None:
    index = StoryIndex()
    first_half = "Russia launched 45 Shahed attack drones at Ukraine overnight, the Ukrainian Air Force said."
    second_half = "Two people were killed and nine wounded in Kyiv, mayor Vitali Klitschko said on Telegram."
    index.add(1, 10, _features("A", first_half * 2, "en"))
    index.add(2, 11, _features("B", second_half * 2, "en"))
    bridge = _features("C", first_half + " " + second_half, "en")
    decision = index.decide(bridge)
    assert (decision.story, decision.merged) == (10, (11,))
    index.add(3, 10, bridge)
    index.merge(decision.merged, 10)
    assert {index.story_of(1), index.story_of(2), index.story_of(3)} == {10}
