"""A delivery's reply subject read as nats-py reads it (`Msg.metadata`), for the forms the
server sends: without a domain, with domain and account hash, with and without the last token."""

from __future__ import annotations

import pytest
from nats.aio.msg import Msg

from qn_infra.reply_subject import ReplySubject, parse_reply_subject

pytestmark = pytest.mark.unit

REPLIES = [
    "$JS.ACK.QN_INTAKE.matching-help-requested.3.4711.4700.1764662400000000000.289",
    "$JS.ACK.hub.ACCHASH.QN_INTAKE.matching-help-requested.3.4711.4700.1764662400000000000.289.x4Rq",
    "$JS.ACK._.ACCHASH.QN_MATCHING.reporting-matching-events.1.12.9.1764662400000000000.0",
]


@pytest.mark.parametrize("reply", REPLIES, ids=["v1", "v2", "v2-short"])
def test_a_reply_subject_is_read_as_nats_py_reads_it(reply: str) -> None:
    metadata = Msg(None, reply=reply).metadata  # type: ignore[arg-type]
    assert parse_reply_subject(reply) == ReplySubject(
        metadata.stream, metadata.num_delivered, metadata.sequence.stream, metadata.num_pending
    )


@pytest.mark.parametrize("reply", [None, "", "_INBOX.abc.1", "$JS.ACK.too.short", "$JS.API.A.B.1.2.3.4.5"])
def test_a_subject_that_is_no_delivery_is_refused(reply: str | None) -> None:
    with pytest.raises(ValueError, match="not a JetStream delivery"):
        parse_reply_subject(reply)
