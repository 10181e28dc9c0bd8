"""This computer's address on the home network, for ``reflect app --lan``.

The form on the home network listens on one address only: the one a phone on the same Wi-Fi
reaches. By default that is this computer's private IPv4 address (``192.168.x.x``, ``10.x.x.x``,
``172.16-31.x.x``) on an interface that is up; when there are several, the one the computer uses
to reach other networks (its default route) comes first. ``--address`` picks another of this
computer's own addresses (``127.0.0.1`` too, to try it out on the computer alone). An address that
is not this computer's, or a public one that was not asked for by name, is refused.

>>> check_address("192.168.1.20", known=[Interface("wlan0", "192.168.1.20")]).address
'192.168.1.20'
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

from reflect.errors import ReflectError


class AddressError(ReflectError):
    """No home-network address could be found, or the one asked for is not this computer's."""


@dataclass(frozen=True)
class Interface:
    """One IPv4 address of this computer and the interface (``wlan0``, ``eth0``...) that holds it."""

    name: str
    address: str

    @property
    def ip(self) -> ipaddress.IPv4Address:
        return ipaddress.IPv4Address(self.address)

    @property
    def home(self) -> bool:
        """A private address of a home network (not loopback, not link-local, not public)."""
        ip = self.ip
        return ip.is_private and not ip.is_loopback and not ip.is_link_local and not ip.is_unspecified


def interfaces() -> list[Interface]:
    """Every IPv4 address of this computer on an interface that is up, loopback included."""
    import psutil

    stats = psutil.net_if_stats()
    found = []
    for name, addresses in psutil.net_if_addrs().items():
        if name in stats and not stats[name].isup:
            continue
        for each in addresses:
            if each.family == socket.AF_INET:
                found.append(Interface(name, each.address))
    return found


def default_route_address() -> str | None:
    """The address this computer would use to reach another network (no packet is sent), if any."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # a documentation address: connecting a UDP socket sends nothing
            return str(s.getsockname()[0])
    except OSError:
        return None


def home_addresses(known: list[Interface] | None = None, preferred: str | None = None) -> list[Interface]:
    """This computer's home-network addresses, the default route's first."""
    known = interfaces() if known is None else known
    homes = [each for each in known if each.home]
    return sorted(homes, key=lambda each: (each.address != preferred, each.name, each.address))


def check_address(text: str, known: list[Interface] | None = None) -> Interface:
    """The interface holding ``text`` (one of this computer's IPv4 addresses), or :class:`AddressError`."""
    known = interfaces() if known is None else known
    try:
        ip = ipaddress.ip_address(text.strip())
    except ValueError:
        raise AddressError(f"--address {text}: not an IP address (for example 192.168.1.20); "
                           f"this computer's are {_listed(known)}") from None
    if ip.version != 4:
        raise AddressError(f"--address {text}: only IPv4 addresses are served (for example 192.168.1.20); "
                           f"this computer's are {_listed(known)}")
    for each in known:
        if each.ip == ip:
            return each
    raise AddressError(f"--address {text}: not an address of this computer; its addresses are {_listed(known)}")


def choose_address(asked: str | None = None, known: list[Interface] | None = None,
                   preferred: str | None = None) -> Interface:
    """The address to serve on: ``asked`` if given (checked), else the home-network address
    (:func:`home_addresses`, the default route's first)."""
    known = interfaces() if known is None else known
    if asked is not None:
        return check_address(asked, known)
    homes = home_addresses(known, default_route_address() if preferred is None else preferred)
    if not homes:
        raise AddressError(
            "this computer has no address on a home network (is it connected to your Wi-Fi?); "
            f"its addresses are {_listed(known)}: pick one with --address if you are sure")
    return homes[0]


def _listed(known: list[Interface]) -> str:
    if not known:
        return "none"
    return ", ".join(f"{each.address} ({each.name})" for each in known)
