"""A desk serving a polled database, once per module, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import make_postgres_database
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
def site(feeds: FeedServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeskSite]:
    """A desk over SQLite with the test feeds polled and three users (admin ada, analyst ana, viewer vic)."""
    directory = tmp_path_factory.mktemp("desk")
    config_dir = desk_config(directory / "config", desk_feeds(feeds))
    desk = start_site(f"sqlite:///{directory / 'monitor.db'}", config_dir)
    yield desk
    desk.stop()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_site(
    request: pytest.FixtureRequest, feeds: FeedServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DeskSite]:
    """The same desk, once on SQLite and once on PostgreSQL."""
    directory = tmp_path_factory.mktemp("desk")
    config_dir = desk_config(directory / "config", desk_feeds(feeds))
    if request.param == "sqlite":
        desk = start_site(f"sqlite:///{directory / 'monitor.db'}", config_dir)
        yield desk
        desk.stop()
        return
    for url in make_postgres_database():
        desk = start_site(url, config_dir)
        yield desk
        desk.stop()


def api(site: DeskSite, user: str) -> httpx.Client:
    """An API client with the user's bearer token."""
    return httpx.Client(
        base_url=f"{site.url}/api/v1", headers={"Authorization": f"Bearer {site.tokens[user]}"}, timeout=30
    )
