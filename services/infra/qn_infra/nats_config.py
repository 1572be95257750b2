"""The NATS accounts, users and permissions of a city, generated from its configuration
(`city.toml`) and the contracts: `python -m qn_infra.nats_config --city-dir deploy/demo-city`.

One account `QN` with JetStream holds every user; the server refuses anonymous connections.

- **A service** (`intake`, `matching`, `scheduling`, `reporting`) may publish only the subjects of
  its own stream and the dead letters of its own consumers, and use the JetStream API only to
  create, read and pull its own durable consumers (with exactly their filter subjects), to ack,
  and to look up streams. It creates no streams: the migration step does, as `admin`.
- **An organisation** (a carrier or office of `city.toml`), user `org-<id>`, may create and pull
  only its own durable consumer `org-<id>` in `QN_INTAKE` and `QN_SCHEDULING`, filtered on the
  events addressed to it (`qn.v1.<producer>.*.*.<id>`, decision 0010), and publish nothing else.
  NATS 2.10+ puts the filter in the create subject
  (`$JS.API.CONSUMER.CREATE.<stream>.<consumer>.<filter>`) and refuses a body whose filter differs,
  so a permission on that subject pins the filter down.
- **admin** (with `--admin`): the whole JetStream API, for the migration step that creates the
  streams and for `qn_reporting rebuild`.

Every user subscribes only below its own inbox prefix `_INBOX.<user>` (the services set it from
their `NATS_USER`), so no one reads another's replies or pulled messages. Passwords are never in
the file: each is a variable (`$QN_NATS_PASSWORD_<USER>`) the server takes from its environment,
and may be a bcrypt hash (`nats server passwd`)."""

from __future__ import annotations

import argparse
import json
import re
import secrets
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from qn_contracts import DEAD_LETTER, STREAMS, dead_letter_subject, stream_for_subject
from qn_contracts.intake import ConcernClosed, ConsentWithdrawn, HelpRequested, PersonErased
from qn_contracts.matching import (
    AssignmentCompleted,
    HelpRequestCancelled,
    HelpRequestUnmatched,
    MatchAccepted,
    MatchCancelled,
    MatchCompleted,
)
from qn_contracts.vocabulary import ORG_ID_PATTERN

ACCOUNT = "QN"
ADMIN = "admin"
ORG_PREFIX = "org-"
ADDRESSED_STREAMS = ("intake", "scheduling")
"""Producers whose streams hold events addressed to an organisation (decision 0010)."""

SERVICE_CONSUMERS: dict[str, tuple[tuple[str, str], ...]] = {
    "intake": (
        ("match-accepted", MatchAccepted.spec.subject),
        ("assignment-completed", AssignmentCompleted.spec.subject),
        ("help-request-unmatched", HelpRequestUnmatched.spec.subject),
        ("help-request-cancelled", HelpRequestCancelled.spec.subject),
        ("match-cancelled", MatchCancelled.spec.subject),
        ("match-completed", MatchCompleted.spec.subject),
    ),
    "matching": (
        ("help-requested", HelpRequested.spec.subject),
        ("consent-withdrawn", ConsentWithdrawn.spec.subject),
        ("person-erased", PersonErased.spec.subject),
        ("concern-closed", ConcernClosed.spec.subject),
    ),
    "scheduling": (),
    "reporting": tuple(
        (f"{producer}-events", f"qn.v1.{producer}.>") for producer in ("intake", "matching", "scheduling")
    ),
}
"""What each service consumes: (consumer name, filter subject); its durable is `<service>-<name>`.
A test compares this table with the consumers each service's app registers."""


@dataclass(frozen=True)
class User:
    name: str
    publish: tuple[str, ...]
    subscribe: tuple[str, ...] = field(default=())

    @property
    def password_variable(self) -> str:
        """The environment variable the server reads this user's password (or bcrypt hash) from."""
        return "QN_NATS_PASSWORD_" + re.sub(r"[^A-Z0-9]", "_", self.name.upper())


def _pull(stream: str, durable: str, filter_subject: str) -> list[str]:
    """The JetStream API subjects for creating, reading, pulling and acking one durable consumer."""
    return [
        f"$JS.API.CONSUMER.CREATE.{stream}.{durable}.{filter_subject}",
        f"$JS.API.CONSUMER.INFO.{stream}.{durable}",
        f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{durable}",
        f"$JS.ACK.{stream}.{durable}.>",
    ]


def service_user(service: str) -> User:
    durables = [(f"{service}-{name}", subject) for name, subject in SERVICE_CONSUMERS[service]]
    publish = [*STREAMS[service].subjects]
    for durable, subject in durables:
        publish += _pull(stream_for_subject(subject).name, durable, subject)
        publish.append(dead_letter_subject(durable, ">"))
    publish += [f"$JS.API.STREAM.INFO.{spec.name}" for spec in (*STREAMS.values(), DEAD_LETTER)]
    return User(service, tuple(publish), (f"_INBOX.{service}.>",))


def organisation_user(organisation: str) -> User:
    if not re.match(ORG_ID_PATTERN, organisation):
        raise ValueError(f"organisation id {organisation!r} cannot be a subject token (decision 0010)")
    name = ORG_PREFIX + organisation
    publish: list[str] = []
    for producer in ADDRESSED_STREAMS:
        stream = STREAMS[producer].name
        publish += _pull(stream, name, f"qn.v1.{producer}.*.*.{organisation}")
        publish.append(f"$JS.API.CONSUMER.DELETE.{stream}.{name}")
    return User(name, tuple(publish), (f"_INBOX.{name}.>",))


def admin_user() -> User:
    # tools run as admin (stream set-up, rebuild, inspection) need not set an inbox prefix
    return User(ADMIN, ("$JS.API.>", "$JS.ACK.>", "$JS.FC.>"), ("_INBOX.>",))


def organisations(city_dir: Path) -> list[str]:
    """The carriers and offices of `city_dir/city.toml`: each gets its own credentials."""
    path = Path(city_dir) / "city.toml"
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return [str(o["id"]) for o in raw.get("organisations", [])]


def users(city_dir: Path, *, admin: bool = False) -> list[User]:
    found = [service_user(service) for service in SERVICE_CONSUMERS]
    found += [organisation_user(org) for org in organisations(city_dir)]
    if admin:
        found.append(admin_user())
    variables = [user.password_variable for user in found]
    if len(set(variables)) != len(variables):
        raise ValueError("two users share a password variable; rename an organisation")
    return found


def _list(subjects: tuple[str, ...], indent: str) -> list[str]:
    return [f"{indent}{json.dumps(subject)}" for subject in subjects]


def render(city_dir: Path, *, admin: bool = False) -> str:
    """The `auth.conf` a nats-server includes: accounts, users, permissions; no secrets."""
    lines = [
        "# Generated by `python -m qn_infra.nats_config` -- do not edit; regenerate instead.",
        "# Passwords come from the server's environment ($QN_NATS_PASSWORD_<USER>, plain or a bcrypt",
        "# hash); a missing one stops the server. See deploy/nats/README.md.",
        "accounts {",
        f"  {ACCOUNT} {{",
        "    jetstream: enabled",
        "    users: [",
    ]
    for user in users(city_dir, admin=admin):
        lines += [
            f"      {{user: {json.dumps(user.name)}, password: ${user.password_variable}, permissions: {{",
            "        publish: {allow: [",
            *_list(user.publish, "          "),
            "        ]}",
            "        subscribe: {allow: [",
            *_list(user.subscribe, "          "),
            "        ]}",
            "      }}",
        ]
    lines += ["    ]", "  }", "}", ""]
    return "\n".join(lines)


def new_secrets(found: list[User]) -> str:
    """A dotenv text with a fresh random password for every user (for a first start, or tests)."""
    return "".join(f"{user.password_variable}={secrets.token_urlsafe(32)}\n" for user in found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qn_infra.nats_config", description=__doc__.split("\n\n")[0])
    parser.add_argument("--city-dir", type=Path, required=True, help="directory holding city.toml")
    parser.add_argument("--out", type=Path, help="write auth.conf here (default: print it)")
    parser.add_argument("--admin", action="store_true", help="also the admin user (migration step, rebuild)")
    parser.add_argument("--check", action="store_true", help="exit 1 if --out differs from what would be written")
    parser.add_argument(
        "--new-secrets",
        type=Path,
        metavar="ENV_FILE",
        help="write random passwords for every user (mode 600, never commit)",
    )
    args = parser.parse_args(argv)
    text = render(args.city_dir, admin=args.admin)
    if args.check:
        if args.out is None or not args.out.is_file() or args.out.read_text(encoding="utf-8") != text:
            print(f"differs: {args.out}", file=sys.stderr)
            return 1
        return 0
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"nats_config: wrote {args.out}", file=sys.stderr)
    if args.new_secrets is not None:
        if args.new_secrets.exists():
            print(f"nats_config: {args.new_secrets} exists; not overwriting secrets", file=sys.stderr)
            return 1
        args.new_secrets.touch(mode=0o600)
        args.new_secrets.write_text(new_secrets(users(args.city_dir, admin=args.admin)), encoding="utf-8")
        print(f"nats_config: wrote passwords to {args.new_secrets}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
