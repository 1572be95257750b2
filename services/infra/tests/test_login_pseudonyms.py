"""Login pseudonyms (decision 0013): the same login gives the same pseudonym under the same key,
and nothing a holder of another key, or of no key, could recompute."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qn_infra.pseudonyms import (
    PATTERN,
    LoginPseudonyms,
    PseudonymKeyError,
    ensure_pseudonym_key,
    load_pseudonym_key,
    pseudonyms_for,
)

pytestmark = pytest.mark.unit

KEY = b"0123456789abcdef0123456789abcdef"


def test_the_same_login_gives_the_same_pseudonym_and_another_login_another() -> None:
    pseudonyms = LoginPseudonyms(KEY, "https://id.dessau.example/realms/qn")
    assert pseudonyms.of("renate.k") == pseudonyms.of("renate.k")
    assert pseudonyms.of("renate.k") != pseudonyms.of("renate.l")
    assert re.fullmatch(PATTERN, pseudonyms.of("renate.k"))
    assert pseudonyms.is_of(pseudonyms.of("renate.k"), "renate.k")
    assert not pseudonyms.is_of(pseudonyms.of("renate.k"), "dmitri.s")
    assert not pseudonyms.is_of(None, "renate.k")


def test_another_key_or_another_issuer_gives_another_pseudonym() -> None:
    ours = LoginPseudonyms(KEY, "iss")
    assert LoginPseudonyms(KEY[::-1], "iss").of("renate.k") != ours.of("renate.k")
    assert LoginPseudonyms(KEY, "iss2").of("renate.k") != ours.of("renate.k")
    # the issuer's length is hashed too: moving the border between issuer and subject changes it
    assert LoginPseudonyms(KEY, "a|b").of("c") != LoginPseudonyms(KEY, "a").of("b|c")


def test_the_setting_wins_over_the_file_and_a_short_key_is_refused(tmp_path: Path) -> None:
    path = ensure_pseudonym_key(tmp_path / "keys")
    assert ensure_pseudonym_key(tmp_path / "keys").read_text() == path.read_text()  # made once
    assert load_pseudonym_key(None, path) == path.read_text().strip().encode()
    assert load_pseudonym_key(KEY.decode(), path) == KEY
    assert load_pseudonym_key(None, tmp_path / "absent.key") is None
    assert pseudonyms_for(secret=None, file=None, issuer="iss") is None
    with pytest.raises(PseudonymKeyError, match="too short"):
        load_pseudonym_key("short", None)
