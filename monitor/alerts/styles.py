"""A channel's message style: its format and templates, and the default templates of each format.

Kept apart from `monitor.alerts.rendering` (which imports Jinja2) so that reading the configuration does not
load the template engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Format = Literal["text", "markdown", "html"]
Kind = Literal["alert", "digest"]
FORMATS: tuple[Format, ...] = ("text", "markdown", "html")
TEMPLATE_NAMES = ("title", "alert", "digest_title", "digest")
"""The templates a channel may set: each kind's title (always plain text) and body (in the format)."""

MAX_TEMPLATE_CHARS = 50_000
DEFAULTS: dict[Format, dict[str, str]] = {
    "text": {
        "title": "[{{ rules|join(', ') }}] {{ title }}",
        "alert": (
            "Source: {{ source }}{% if language %} ({{ language }}){% endif %}"
            "{% if published %} · published {{ published }}{% endif %}\n"
            "Link: {{ link or '(none)' }}\n"
            "{{ 'Rules' if rules|length > 1 else 'Rule' }}: {{ rules|join(', ') }}"
            " — matched: {{ matched|join(', ') or '(none)' }}\n"
            "{% if story %}Story: {{ story.sources }} sources in {{ story.languages|length }} languages"
            " ({{ story.languages|join(', ') }})\n{% endif %}"
            "{% if snippet %}\n{{ snippet }}{% endif %}"
        ),
    },
    "markdown": {
        "alert": (
            "**{{ 'Rules' if rules|length > 1 else 'Rule' }}:** {{ rules|join(', ') }}\n"
            "**Source:** {{ source }}{% if language %} ({{ language }}){% endif %}"
            "{% if published %} · {{ published }}{% endif %}\n"
            "{% if story %}**Story:** {{ story.sources }} sources in {{ story.languages|length }} languages"
            " ({{ story.languages|join(', ') }})\n{% endif %}"
            "{% if link %}**Link:** [{{ title }}]({{ link }})\n{% endif %}"
            "{% if snippet %}\n{{ snippet }}{% endif %}"
        ),
    },
    "html": {
        "alert": (
            "<p><b>{{ 'Rules' if rules|length > 1 else 'Rule' }}:</b> {{ rules|join(', ') }}<br>\n"
            "<b>Source:</b> {{ source }}{% if language %} ({{ language }}){% endif %}"
            "{% if published %} · {{ published }}{% endif %}<br>\n"
            "{% if story %}<b>Story:</b> {{ story.sources }} sources in {{ story.languages|length }}"
            " languages ({{ story.languages|join(', ') }})<br>\n{% endif %}"
            '{% if link %}<b>Link:</b> <a href="{{ link }}">{{ title }}</a>{% endif %}</p>\n'
            "{% if snippet %}<p>{{ snippet }}</p>{% endif %}"
        ),
    },
}

# Digests: grouped by rule, then story (the digest's own grouping, see `monitor.alerts.digest_context`).
_MORE = (
    "Also reported by {{ story.more_sources }} more {{ 'source' if story.more_sources == 1 else 'sources' }}"
    "{% if story.more_languages %} ({{ story.more_languages|join(', ') }}){% endif %}"
    ": {{ story.also|join(', ') }}"
)
_LEFT = "… and {{ left }} more {{ 'entry' if left == 1 else 'entries' }}: see the desk's hit log."
DIGEST_TITLE = "[{{ channel }}] {{ count }} {{ 'story' if count == 1 else 'stories' }} ({{ reason }})"
TEXT_DIGEST = (
    "{% for section in rules %}== {{ section.rule }} ==\n\n"
    "{% for story in section.stories %}* {{ story.title }}"
    "{{ ' (alerted earlier)' if story.alerted_before else '' }}\n"
    "  Source: {{ story.source }}{% if story.language %} ({{ story.language }}){% endif %}"
    "{% if story.published %} · published {{ story.published }}{% endif %}\n"
    "  Link: {{ story.link or '(none)' }}\n"
    "{% if story.more_sources %}  " + _MORE + "\n{% endif %}"
    "{% if story.snippet %}  {{ story.snippet }}\n{% endif %}\n"
    "{% endfor %}{% endfor %}{% if left %}" + _LEFT + "{% endif %}"
)
MARKDOWN_DIGEST = (
    "{% for section in rules %}**{{ section.rule }}**\n\n"
    "{% for story in section.stories %}- {% if story.link %}[{{ story.title }}]({{ story.link }})"
    "{% else %}{{ story.title }}{% endif %}{{ ' (alerted earlier)' if story.alerted_before else '' }}"
    " · {{ story.source }}{% if story.language %} ({{ story.language }}){% endif %}\n"
    "{% if story.more_sources %}  " + _MORE + "\n{% endif %}"
    "{% if story.snippet %}  {{ story.snippet }}\n{% endif %}"
    "{% endfor %}\n{% endfor %}{% if left %}" + _LEFT + "{% endif %}"
)
HTML_DIGEST = (
    "{% for section in rules %}<p><b>{{ section.rule }}</b></p>\n<ul>\n"
    "{% for story in section.stories %}<li>{% if story.link %}"
    '<a href="{{ story.link }}">{{ story.title }}</a>{% else %}{{ story.title }}{% endif %}'
    "{{ ' (alerted earlier)' if story.alerted_before else '' }}"
    " · {{ story.source }}{% if story.language %} ({{ story.language }}){% endif %}"
    "{% if story.more_sources %}<br>" + _MORE + "{% endif %}"
    "{% if story.snippet %}<br>{{ story.snippet }}{% endif %}</li>\n"
    "{% endfor %}</ul>\n{% endfor %}{% if left %}<p>" + _LEFT + "</p>{% endif %}"
)
DEFAULTS["text"] |= {"digest_title": DIGEST_TITLE, "digest": TEXT_DIGEST}
DEFAULTS["markdown"] |= {"digest": MARKDOWN_DIGEST}
DEFAULTS["html"] |= {"digest": HTML_DIGEST}
for _name in ("title", "digest_title"):
    DEFAULTS["markdown"][_name] = DEFAULTS["html"][_name] = DEFAULTS["text"][_name]


@dataclass(frozen=True)
class MessageStyle:
    """How a channel's messages are written: a format and the templates it overrides (by name)."""

    format: Format = "text"
    templates: Mapping[str, str] = field(default_factory=dict)

    def source(self, name: str) -> str:
        """The template `name` of this style: the channel's own, else the default of its format."""
        return self.templates.get(name) or DEFAULTS[self.format][name]
