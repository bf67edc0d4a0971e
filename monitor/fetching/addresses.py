"""The address policy against server-side request forgery, checked on every connection after DNS.

A source its owner configured may point anywhere (a feed on the intranet is a fair thing to follow). A URL
found *inside* content is another matter: an article link fetched for its full text, a feed a page lists
(`sources add`), a redirect of a feed to another host. Any of them could aim monitor at the cloud's
metadata service (169.254.169.254), an admin page on 127.0.0.1 or a host on the private network, and
store what it answers. Those URLs go through a `GuardedTransport`: before each TCP connection its host is
resolved, every address is checked (loopback, private, link-local, shared, reserved and multicast
addresses are refused unless `fetch.allowed_networks` lists them), and the connection is made to a checked
address, so that a name cannot resolve to another address between the check and the connection.

A proxy from the environment (HTTPS_PROXY…) resolves names itself: what it may reach is its own policy.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class AddressBlocked(Exception):
    """A connection refused by the address policy: `host` resolves only to addresses it does not permit."""

    def __init__(self, host: str, address: str) -> None:
        self.host = host
        self.address = address
        super().__init__(f"{host} resolves to {address}")


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses URLs found in content may reach: public ones, and those of `allowed` networks."""

    allowed: tuple[IPNetwork, ...] = ()

    @classmethod
    def allowing(cls, networks: Iterable[str]) -> AddressPolicy:
        return cls(tuple(ipaddress.ip_network(network, strict=False) for network in networks))

    def permits(self, address: IPAddress) -> bool:
        """Whether a connection to `address` is allowed (an IPv4-mapped IPv6 address counts as IPv4)."""
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if any(address in network for network in self.allowed):
            return True
        return address.is_global and not address.is_multicast


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, resolving and checking each host before connecting to it."""

    def __init__(self, policy: AddressPolicy, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._policy = policy
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await _resolve(host, port)
        permitted = [address for address in addresses if self._policy.permits(address)]
        if not permitted:
            raise AddressBlocked(host, str(addresses[0]))
        error: Exception | None = None
        for address in permitted:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout, local_address=local_address, socket_options=socket_options
                )
            except httpcore.ConnectError as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressBlocked(path, "a local socket")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a `GuardedBackend`: every connection it opens is checked."""

    def __init__(self, policy: AddressPolicy, *, verify: ssl.SSLContext, limits: httpx.Limits) -> None:
        super().__init__(verify=verify, limits=limits)
        self._pool = httpcore.AsyncConnectionPool(  # the pool httpx builds, on our backend
            ssl_context=verify,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(policy),
        )


async def _resolve(host: str, port: int) -> Sequence[IPAddress]:
    """The addresses of `host` in the resolver's order; httpcore's ConnectError when it has none."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise httpcore.ConnectError(str(exc)) from exc
    found: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    if not found:
        raise httpcore.ConnectError(f"{host}: no address")
    return found
