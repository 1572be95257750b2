"""What a JetStream delivery's reply subject says about the message: its stream, how often it
was delivered, its stream sequence and how many wait after it.

nats-py's `Msg.metadata` reads the same subject into nested dataclasses with a timestamp, per
message; a consumer needs four numbers of it, and on its hot path the dataclasses cost more than
the rest of handing a message to the worker thread. Tested against nats-py's own reading."""

from __future__ import annotations

from typing import NamedTuple


class ReplySubject(NamedTuple):
    stream: str
    delivered: int
    """How often the broker has delivered this message, this time included."""
    stream_sequence: int
    pending: int
    """Messages in the stream for this consumer after this one, not yet delivered."""


def parse_reply_subject(reply: str | None) -> ReplySubject:
    """Reads `$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>`,
    or the longer form with domain and account hash after `$JS.ACK` (and a token at the end).
    Raises ValueError for a subject that is neither."""
    tokens = (reply or "").split(".")
    if tokens[:2] == ["$JS", "ACK"]:
        if len(tokens) == 9:
            return ReplySubject(tokens[2], int(tokens[4]), int(tokens[5]), int(tokens[8]))
        if len(tokens) >= 11:
            return ReplySubject(tokens[4], int(tokens[6]), int(tokens[7]), int(tokens[10]))
    raise ValueError(f"not a JetStream delivery: {(reply or '')[:80]!r}")
