"""A desk serving a polled database, once per module, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import BACKENDS, migrated_sqlite_url, migrated_url
from tests.support.desk import DeskSite, desk_config, desk_feeds, start_site
from tests.support.feed_server import FeedServer
from tests.support.webhook_receiver import WebhookReceiver


@pytest.fixture(scope="module")
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


@pytest.fixture(scope="module")
def receiver() -> Iterator[WebhookReceiver]:
    """A webhook receiver for the alerts of a module's desk."""
    with WebhookReceiver() as started:
        yield started


@pytest.fixture(scope="module")
def site(
    feeds: FeedServer, tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[DeskSite]:
    """A desk over SQLite with the test feeds polled and three users (admin ada, analyst ana, viewer vic)."""
    directory = tmp_path_factory.mktemp("desk")
    config_dir = desk_config(directory / "config", desk_feeds(feeds))
    desk = start_site(migrated_sqlite_url(sqlite_template, directory), config_dir)
    yield desk
    desk.stop()


@pytest.fixture(scope="module", params=BACKENDS)
def any_site(
    request: pytest.FixtureRequest, feeds: FeedServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DeskSite]:
    """The same desk, once on SQLite and once on PostgreSQL."""
    directory = tmp_path_factory.mktemp("desk")
    config_dir = desk_config(directory / "config", desk_feeds(feeds))
    for url in migrated_url(request, request.param, directory):
        desk = start_site(url, config_dir)
        yield desk
        desk.stop()


def api(site: DeskSite, user: str) -> httpx.Client:
    """An API client with the user's bearer token."""
    return httpx.Client(
        base_url=f"{site.url}/api/v1", headers={"Authorization": f"Bearer {site.tokens[user]}"}, timeout=30
    )
