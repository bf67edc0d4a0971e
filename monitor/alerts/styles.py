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
        "digest_title": "Digest: {{ count }} alert{{ 's' if count != 1 else '' }}",
        "digest": (
            "{% for group in rules %}{{ group.rule }} ({{ group.stories|length }})\n"
            "{% for item in group.stories %}- {{ item.title }}\n"
            "  {{ item.sources }} source{{ 's' if item.sources != 1 else '' }}"
            "{% if item.languages %} in {{ item.languages|join(', ') }}{% endif %}"
            " · {{ item.link or '(no link)' }}\n"
            "{% if item.snippet %}  {{ item.snippet }}\n{% endif %}"
            "{% endfor %}{% if not loop.last %}\n{% endif %}{% endfor %}"
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
        "digest": (
            "{% for group in rules %}**{{ group.rule }}** ({{ group.stories|length }})\n\n"
            "{% for item in group.stories %}- {% if item.link %}[{{ item.title }}]({{ item.link }})"
            "{% else %}{{ item.title }}{% endif %}"
            " · {{ item.sources }} source{{ 's' if item.sources != 1 else '' }}"
            "{% if item.languages %} in {{ item.languages|join(', ') }}{% endif %}\n"
            "{% if item.snippet %}  {{ item.snippet }}\n{% endif %}"
            "{% endfor %}{% if not loop.last %}\n{% endif %}{% endfor %}"
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
        "digest": (
            "{% for group in rules %}<p><b>{{ group.rule }}</b> ({{ group.stories|length }})</p>\n<ul>\n"
            "{% for item in group.stories %}<li>{% if item.link %}"
            '<a href="{{ item.link }}">{{ item.title }}</a>{% else %}{{ item.title }}{% endif %}'
            " · {{ item.sources }} source{{ 's' if item.sources != 1 else '' }}"
            "{% if item.languages %} in {{ item.languages|join(', ') }}{% endif %}"
            "{% if item.snippet %}<br>{{ item.snippet }}{% endif %}</li>\n"
            "{% endfor %}</ul>\n{% endfor %}"
        ),
    },
}
DEFAULTS["markdown"] |= {name: DEFAULTS["text"][name] for name in ("title", "digest_title")}
DEFAULTS["html"] |= {name: DEFAULTS["text"][name] for name in ("title", "digest_title")}


@dataclass(frozen=True)
class MessageStyle:
    """How a channel's messages are written: a format and the templates it overrides (by name)."""

    format: Format = "text"
    templates: Mapping[str, str] = field(default_factory=dict)

    def source(self, name: str) -> str:
        """The template `name` of this style: the channel's own, else the default of its format."""
        return self.templates.get(name) or DEFAULTS[self.format][name]
