"""Where the server may reach: the outbound policy for webhooks and printers.

The server makes connections it is told to make: webhook deliveries, network printers,
file printers. Each target is checked against one policy:

- **Webhooks** go to ``http(s)`` addresses that are public. A literal address is checked
  when the subscription is saved; a host name is resolved when a delivery is sent, every
  address it resolves to is checked, and the delivery connects to the checked address
  (so a name that changes between the check and the connection cannot move it inward).
  Refused: loopback, link-local (``169.254.169.254``), private, shared, multicast,
  reserved and unspecified addresses, in any spelling (``[::1]``, ``2130706433``,
  ``0x7f.1``, ``::ffff:127.0.0.1``). ``webhook_allow`` (networks or host names) lets a
  LAN integration through.
- **Network printers** are IP addresses on the private LAN ranges (``10/8``,
  ``172.16/12``, ``192.168/16``, ``fc00::/7``) or in ``printer_allow``. Loopback is not
  the LAN: a printer on ``127.0.0.1`` (the demo's fakes) must be allowed explicitly.
- **File printers** write to a device path (``/dev/usb/lp<n>``) or inside the configured
  spool directory (``print_spool_dir``), nowhere else.

See ``docs/security.md`` ("Outbound reach") and decision 1210.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, urlsplit

from pos_service.core.errors import Invalid

if TYPE_CHECKING:
    from pos_service.config import Settings

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

LAN = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
"""The private LAN ranges a network printer may be on without an allow-list entry."""
DEVICE_PATH = re.compile(r"^/dev/usb/lp[0-9]{1,3}$")
_NUMERIC_V4 = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}$", re.IGNORECASE)


class Refused(Exception):
    """A target the policy does not let the server reach; the message says why."""


def literal_ip(host: str) -> IP | None:
    """The address a host string stands for if it is an IP in any spelling the resolver
    accepts (dotted, decimal, octal, hex, bracketed IPv6); ``None`` for a name."""
    bare = host.strip().strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if _NUMERIC_V4.match(bare):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(bare))
        except OSError:
            raise Refused(f"{host!r} is not a valid address") from None
    return None


def _unwrapped(ip: IP) -> IP:
    """An IPv4 address carried inside IPv6 (mapped, 6to4, NAT64 well-known) as itself."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip in ipaddress.ip_network("64:ff9b::/96"):
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def is_public(ip: IP) -> bool:
    """Whether ``ip`` is a public unicast address (not loopback, link-local, private,
    shared, multicast, reserved or unspecified)."""
    ip = _unwrapped(ip)
    return ip.is_global and not (
        ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local
    )


def is_lan(ip: IP) -> bool:
    """Whether ``ip`` is on one of the private LAN ranges."""
    ip = _unwrapped(ip)
    return any(ip in network for network in LAN)


class Allowed:
    """An allow-list: networks (``192.0.2.0/24``, ``127.0.0.1``) and host names."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.networks: list[Network] = []
        self.names: set[str] = set()
        for raw in entries:
            entry = raw.strip()
            if not entry:
                continue
            try:
                self.networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                self.names.add(entry.lower().rstrip("."))

    def has_ip(self, ip: IP) -> bool:
        return any(ip in network or _unwrapped(ip) in network for network in self.networks)

    def has_name(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.names


class OutboundPolicy:
    """The outbound policy of one server (from :func:`policy_from`)."""

    def __init__(
        self,
        webhook_allow: Iterable[str] = (),
        printer_allow: Iterable[str] = (),
        spool_dir: Path | None = None,
    ) -> None:
        self.webhooks = Allowed(webhook_allow)
        self.printers = Allowed(printer_allow)
        self.spool_dir = spool_dir.resolve() if spool_dir is not None else None

    # -- webhooks ---------------------------------------------------------------------

    def _webhook_ip(self, ip: IP) -> None:
        if not (is_public(ip) or self.webhooks.has_ip(ip)):
            raise Refused(f"{ip} is not a public address")

    def check_webhook_url(self, url: str) -> SplitResult:
        """The parts of a webhook URL the policy accepts; :class:`Refused` otherwise.
        A host name is accepted here and its addresses checked when sending."""
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises on a malformed port
        except ValueError as exc:
            raise Refused(f"not a valid URL: {exc}") from None
        if parts.scheme not in ("http", "https"):
            raise Refused("only http and https URLs are allowed")
        host = parts.hostname or ""
        if not host:
            raise Refused("the URL names no host")
        if self.webhooks.has_name(host):
            return parts
        ip = literal_ip(host)
        if ip is not None:
            self._webhook_ip(ip)
        elif host == "localhost" or host.endswith((".localhost", ".localhost.")):
            raise Refused(f"{host} is not a public address")
        return parts

    async def resolve_webhook(self, host: str, port: int) -> str:
        """The checked address to connect to for ``host``: every address the name
        resolves to must pass, else :class:`Refused`."""
        ip = literal_ip(host)
        if ip is not None:
            if not self.webhooks.has_name(host):
                self._webhook_ip(ip)
            return str(ip)
        loop = asyncio.get_running_loop()
        try:
            found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError:
            raise Refused(f"{host} does not resolve") from None
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in found]
        if not addresses:
            raise Refused(f"{host} does not resolve")
        if not self.webhooks.has_name(host):
            for address in addresses:
                self._webhook_ip(address)
        return str(addresses[0])

    # -- printers ---------------------------------------------------------------------

    def check_printer(self, connection: str, address: str) -> None:
        """Refuse a printer the server may not reach (:class:`Refused`)."""
        if connection == "network":
            host = address.rpartition(":")[0] if ":" in address else address
            host = host.strip("[]") if host.startswith("[") else host
            if self.printers.has_name(host):
                return
            ip = literal_ip(host)
            if ip is None:
                raise Refused("a network printer is an IP address on the LAN (or allow-listed)")
            if not (is_lan(ip) or self.printers.has_ip(ip)):
                raise Refused(f"{ip} is not on the LAN and not allow-listed")
        elif connection == "file":
            self._check_file(address)

    def _check_file(self, address: str) -> None:
        if DEVICE_PATH.match(address):
            return
        if self.spool_dir is None:
            raise Refused("a file printer is a device path /dev/usb/lp<n> (no spool directory)")
        path = Path(address)
        if not path.is_absolute():
            path = self.spool_dir / path
        resolved = path.resolve()
        if resolved == self.spool_dir or not resolved.is_relative_to(self.spool_dir):
            raise Refused(f"a file printer is a device path or a file in {self.spool_dir}")


def policy_from(settings: Settings) -> OutboundPolicy:
    """The policy the settings describe."""
    return OutboundPolicy(settings.webhook_allow, settings.printer_allow, settings.print_spool_dir)


def invalid(exc: Refused, field: str) -> Invalid:
    """The 422 naming ``field`` for a refused target."""
    return Invalid("refused by the outbound policy: {exc}", exc=exc, field=field)
