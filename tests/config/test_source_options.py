"""Source options beyond a feed URL: `type: html` and CSS selectors, `full_text`, interval bounds."""

from __future__ import annotations

import textwrap
from datetime import timedelta

import pytest

from monitor.config import HtmlSelectors, SourceConfig, check_config, load_config
from tests.config.conftest import WriteConfig, rendered

VALID_SOURCES = """\
sources:
  - name: Feed
    url: https://a.example/feed
  - name: Page
    url: https://b.example/news/
    type: html
    selectors:
      item: "article.news-item, li:not(.ad) > div"
      title: h2
      link: a.permalink
      summary: p.lead
      date: time[datetime]
  - name: Summaries
    url: https://c.example/rss
    full_text: true
    interval: 30m
    min_interval: 5m
    max_interval: 6h
"""


def test_new_options_load_with_their_defaults(write_config: WriteConfig) -> None:
    config = load_config(write_config({"sources.yaml": VALID_SOURCES}), {})
    feed, page, summaries = config.sources

    assert (feed.type, feed.selectors, feed.full_text, feed.min_interval, feed.max_interval) == (
        "feed",
        None,
        False,
        None,
        None,
    )
    assert page.type == "html"
    assert page.selectors == HtmlSelectors(
        item="article.news-item, li:not(.ad) > div",
        title="h2",
        link="a.permalink",
        summary="p.lead",
        date="time[datetime]",
    )
    assert summaries.full_text is True
    assert (summaries.min_interval, summaries.max_interval) == (timedelta(minutes=5), timedelta(hours=6))


# (sources.yaml, every problem rendered)
BROKEN = {
    "invalid selectors, located at the character soupsieve stops at (any scalar style)": (
        """\
        sources:
          - name: a
            url: https://a.example/
            type: html
            selectors:
              item: article[class
              title: "h2 >"
              link: |-
                a.permalink,
                ,b
        """,
        """
        sources.yaml:6:20: selectors.item: invalid CSS selector: Malformed attribute selector at position 7
                  item: article[class
                               ^
        sources.yaml:7:17: selectors.title: invalid CSS selector: Invalid character ' ' position 2
                  title: "h2 >"
                            ^
        sources.yaml:10:9: selectors.link: invalid CSS selector: The combinator ',' at position 13, must have a selector before it
                    ,b
                    ^
        """,  # noqa: E501
    ),
    "type html without selectors, selectors without type html": (
        """\
        sources:
          - name: a
            url: https://a.example/
            type: html
          - name: b
            url: https://b.example/
            selectors: {item: li}
        """,
        """
        sources.yaml:2:5: selectors: required for type: html (at least `item`, the CSS selector of one article)
              - name: a
                ^
        sources.yaml:7:16: selectors: only used with type: html (add `type: html`, or remove the selectors)
                selectors: {item: li}
                           ^^^^^^^^^^
        """,  # noqa: E501
    ),
    "an unknown type, a misspelt selector key, a missing item": (
        """\
        sources:
          - name: a
            url: https://a.example/
            type: page
          - name: b
            url: https://b.example/
            type: html
            selectors: {itme: li, title: h2}
        """,
        """
        sources.yaml:4:11: type: expected 'feed' or 'html', got text 'page'
                type: page
                      ^^^^
        sources.yaml:8:16: missing required key 'item'
                selectors: {itme: li, title: h2}
                           ^^^^^^^^^^^^^^^^^^^^^
        sources.yaml:8:17: unknown key 'itme' (did you mean 'item'?)
                selectors: {itme: li, title: h2}
                            ^^^^
        """,
    ),
    "interval bounds: on the wrong side of interval, or under a minute": (
        """\
        sources:
          - name: a
            url: https://a.example/
            interval: 10m
            min_interval: 20m
            max_interval: 5m
          - name: b
            url: https://b.example/
            min_interval: 30s
            max_interval: 1h
            full_text: sometimes
        """,
        """
        sources.yaml:5:19: min_interval: 20m is longer than interval (10m)
                min_interval: 20m
                              ^^^
        sources.yaml:6:19: max_interval: 5m is shorter than interval (10m)
                max_interval: 5m
                              ^^
        sources.yaml:9:19: min_interval: must be at least 1m, got 30s
                min_interval: 30s
                              ^^^
        sources.yaml:11:16: full_text: expected true or false, got text 'sometimes'
                full_text: sometimes
                           ^^^^^^^^^
        """,
    ),
    "a broken interval does not also fault its bounds": (
        """\
        sources:
          - name: a
            url: https://a.example/
            interval: soon
            min_interval: 5m
        """,
        """
        sources.yaml:4:15: interval: expected a duration such as 10m, 2h or 7d, got 'soon'
                interval: soon
                          ^^^^
        """,
    ),
}


@pytest.mark.parametrize(("sources", "expected"), BROKEN.values(), ids=BROKEN.keys())
def test_broken_source_options_are_reported_exactly(
    write_config: WriteConfig, sources: str, expected: str
) -> None:
    directory = write_config({"sources.yaml": sources})
    assert rendered(check_config(directory, {}), directory) == textwrap.dedent(expected).strip("\n")


# (fields, accepted?)
BOUNDS = {
    "bounds equal to the interval": ({"interval": "10m", "min_interval": "10m", "max_interval": "10m"}, True),
    "a one-minute floor": ({"interval": "2m", "min_interval": "1m"}, True),
    "a floor above the interval": ({"interval": "2m", "min_interval": "3m"}, False),
    "a ceiling below the interval": ({"interval": "2h", "max_interval": "1h"}, False),
    "a ceiling under a minute": ({"interval": "30s", "max_interval": "45s"}, False),
}


@pytest.mark.parametrize(("fields", "accepted"), BOUNDS.values(), ids=BOUNDS.keys())
def test_interval_bounds_from_code(fields: dict[str, str], accepted: bool) -> None:
    def build() -> SourceConfig:
        return SourceConfig.model_validate({"name": "a", "url": "https://a.example/", **fields})

    if accepted:
        build()
    else:
        with pytest.raises(ValueError):
            build()
