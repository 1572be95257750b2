"""Who a request really comes from, for limits per client address. Behind a reverse proxy (or the
portal, which sends the public volunteer form on a newcomer's behalf) every request arrives from
the proxy's address, so all clients would share one limit; the proxy names the client in
`X-Forwarded-For`. That header is believed only from a configured trusted proxy -- from anyone
else it is ignored, or a client could pick a fresh address for every request."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or networks (`10.0.0.5`, `10.0.0.0/8`, `::1`); raises ValueError naming a wrong one."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"not an address or network: {entry!r}") from exc
    return tuple(networks)


def _trusted(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[Network]) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy; then the nearest
    address in `X-Forwarded-For` that is not itself a trusted proxy (read from the right: each proxy
    appends whom it heard from, and only what trusted proxies appended can be believed)."""
    address = peer or "unknown"
    if not forwarded_for or not _trusted(address, trusted):
        return address
    for hop in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
        address = hop
        if not _trusted(hop, trusted):
            break
    return address
