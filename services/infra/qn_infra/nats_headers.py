"""Reading NATS message headers without the e-mail parser.

nats-py parses every message's header block with the standard library's e-mail parser (~25 us
a message here, more than the rest of a consumer's per-event work on the broker side). Producers
of Quartiersnetz events send plain `Name: value` lines; `install_fast_headers` gives a connection
a parser for exactly those, which returns what nats-py's own parsing returns (tested against it),
and leaves anything else -- status lines, tabs, folded or non-ASCII headers -- to nats-py.
(nats-py's optional `fast_mail_parser` hook was tried: its current version returns lists.)"""

from __future__ import annotations

from typing import Any

from nats.aio.client import Client

_HEAD = b"NATS/1.0\r\n"
_FALL_BACK = object()


def parse_plain_headers(block: bytes) -> dict[str, str] | object | None:
    """The headers of a `NATS/1.0` block of plain ASCII `Name: value` lines, as nats-py returns
    them (names and values stripped, the last of a repeated name); `_FALL_BACK` for anything
    else, which nats-py's own parser must read. Checked line by line with C string methods (a
    regular expression over the block cost half of this function's time): a line must be
    printable ASCII -- no tab, no stray CR or LF, no other control character -- and its name
    (before the first colon) not empty and without a space."""
    if not block.startswith(_HEAD) or not block.isascii():
        return _FALL_BACK
    headers: dict[str, str] = {}
    for line in block[len(_HEAD) :].decode("ascii").split("\r\n"):
        if not line:
            break  # the blank line that ends the headers
        name, colon, value = line.partition(":")
        if not colon or not name or " " in name or not line.isprintable() or line.startswith("From "):
            return _FALL_BACK
        headers[name] = value.strip()
    return headers or None


def install_fast_headers(nc: Client) -> None:
    """Makes this connection parse plain header blocks itself (see the module docstring). A
    nats-py without the hook keeps its own parsing: slower, not different."""
    original = getattr(nc, "_process_headers", None)
    if original is None or getattr(nc, "_qn_fast_headers", False):
        return

    async def process_headers(headers: bytes) -> Any:
        if headers:
            parsed = parse_plain_headers(bytes(headers))
            if parsed is not _FALL_BACK:
                return parsed
        return await original(headers)

    setattr(nc, "_process_headers", process_headers)  # noqa: B010 -- this connection only
    setattr(nc, "_qn_fast_headers", True)  # noqa: B010 -- once, however often the service reconnects
