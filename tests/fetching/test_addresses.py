"""The address policy: a configured source may point anywhere; URLs found in content and redirects to
another host reach no internal address (checked after DNS, on every connection) unless
`fetch.allowed_networks` lists its network."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest

from monitor.errors import FetchError
from monitor.fetching import Fetcher, FetchResult
from monitor.fetching.addresses import AddressPolicy
from monitor.settings import FetchSettings
from tests.fetching.test_client import FEED
from tests.support.feed_server import FeedServer

LOOPBACK = ["127.0.0.0/8", "::1/128"]


@pytest.mark.parametrize(
    ("address", "permitted"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.9", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # the cloud's metadata service
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),  # loopback spelled as IPv6
        ("93.184.216.34", True),
        ("2606:4700::1111", True),
    ],
)
def test_only_public_addresses_are_permitted_by_default(address: str, permitted: bool) -> None:
    assert AddressPolicy().permits(ipaddress.ip_address(address)) is permitted


def test_allowed_networks_open_internal_addresses_one_network_at_a_time() -> None:
    policy = AddressPolicy.allowing(["10.0.0.0/8", "::1/128"])
    assert policy.permits(ipaddress.ip_address("10.9.9.9"))
    assert policy.permits(ipaddress.ip_address("::1"))
    assert not policy.permits(ipaddress.ip_address("127.0.0.1"))
    assert not policy.permits(ipaddress.ip_address("169.254.169.254"))


def test_an_allowed_network_that_is_no_network_is_a_settings_error() -> None:
    with pytest.raises(ValueError, match="'intranet' is not a network"):
        FetchSettings.model_validate({"allowed_networks": ["intranet"]})


def _fetch(settings: FetchSettings, url: str, *, found_in_content: bool) -> FetchResult:
    async def run() -> FetchResult:
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch(url, found_in_content=found_in_content)

    return asyncio.run(run())


def test_a_configured_source_may_point_at_this_machine(
    feed_server: FeedServer, settings: FetchSettings
) -> None:
    url = feed_server.serve("/f.xml", FEED)
    assert _fetch(settings, url, found_in_content=False).body == FEED


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_url_found_in_content_does_not_reach_an_internal_address(
    feed_server: FeedServer, settings: FetchSettings, host: str
) -> None:
    url = feed_server.serve("/secret", b"internal admin page").replace("127.0.0.1", host)
    with pytest.raises(FetchError) as caught:
        _fetch(settings, url, found_in_content=True)
    assert caught.value.message.startswith(f"blocked: {host} resolves to ")
    assert "fetch.allowed_networks" in caught.value.message
    assert feed_server.requests_for("/secret") == [], "no connection was made"


def test_an_allowed_network_lets_urls_found_in_content_reach_it(
    feed_server: FeedServer, settings: FetchSettings
) -> None:
    url = feed_server.serve("/f.xml", FEED).replace("127.0.0.1", "localhost")
    allowing = settings.model_copy(update={"allowed_networks": LOOPBACK})
    assert _fetch(allowing, url, found_in_content=True).body == FEED


def test_a_redirect_to_another_host_does_not_reach_an_internal_address(
    feed_server: FeedServer, settings: FetchSettings
) -> None:
    inside = feed_server.serve("/metadata", b"instance credentials").replace("127.0.0.1", "localhost")
    url = feed_server.serve("/feed", status=302, headers={"Location": inside})
    with pytest.raises(FetchError, match=r"^blocked: localhost resolves to "):
        _fetch(settings, url, found_in_content=False)
    assert feed_server.requests_for("/metadata") == []
    allowing = settings.model_copy(update={"allowed_networks": LOOPBACK})
    assert _fetch(allowing, url, found_in_content=False).body == b"instance credentials"


def test_a_redirect_within_the_configured_host_is_followed(
    feed_server: FeedServer, settings: FetchSettings
) -> None:
    feed_server.serve("/new.xml", FEED)
    url = feed_server.serve("/old.xml", status=301, headers={"Location": "/new.xml"})
    assert _fetch(settings, url, found_in_content=False).body == FEED
