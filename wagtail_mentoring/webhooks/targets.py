"""Where a webhook may be sent: https on the public internet only (SSRF).

A host name is resolved and every address it resolves to is checked, when an
endpoint is saved and again at each delivery, and the request then connects to
an address that was checked (so a name that resolves differently a second
later, DNS rebinding, cannot point the request at the intranet).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.errors import MentoringError


def _refuse(message: str) -> MentoringError:
    return MentoringError(message, code="target")


def _allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(url: str) -> tuple[str, str, int, list[str]]:
    """``(scheme, host, port, addresses)`` of ``url``; refuses a target that
    is not https or resolves to any non-public address."""
    allow_private = mentoring_settings.WEBHOOK_ALLOW_PRIVATE_TARGETS
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _refuse(_("This is not a valid URL."))
    scheme = (parts.scheme or "").lower()
    if scheme != "https" and not (allow_private and scheme == "http"):
        raise _refuse(_("Webhooks are only sent to https:// addresses."))
    host = parts.hostname
    if not host:
        raise _refuse(_("The URL has no host name."))
    if parts.username or parts.password:
        raise _refuse(_("Put no user name or password in the URL."))
    port = port or (443 if scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise _refuse(
            _("The host %(host)s cannot be found (%(error)s).")
            % {"host": host, "error": error}
        )
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not allow_private:
        refused = [a for a in addresses if not _allowed(a)]
        if refused:
            raise _refuse(
                _(
                    "%(host)s resolves to %(addresses)s, a private, loopback or "
                    "link-local address: webhooks go to the internet only."
                )
                % {"host": host, "addresses": ", ".join(refused)}
            )
    return scheme, host, port, addresses


def check(url: str) -> None:
    """Refuse (``MentoringError``) a URL webhooks may not be sent to."""
    resolve(url)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # Certificate and SNI are for the host name, not the address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict, timeout: float) -> tuple[int, bytes]:
    """POST ``body`` to ``url`` at an address checked just now; no redirects
    are followed. Returns the status code and up to 4 KB of the response."""
    scheme, host, port, addresses = resolve(url)
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    cls = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = cls(host, port, addresses[0], timeout=timeout)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(4096)
    finally:
        connection.close()
