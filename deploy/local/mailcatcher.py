"""`make run`'s local mail catcher: an SMTP server (aiosmtpd) that keeps what it receives in memory
and a tiny web page that lists it, so matching's reminders can be read without a real mailbox.

    python deploy/local/mailcatcher.py --smtp-port 1025 --http-port 8025

Nothing is delivered anywhere; the last 500 mails are kept until it stops."""

from __future__ import annotations

import argparse
import html
import logging
import signal
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

KEEP = 500


@dataclass(frozen=True)
class Received:
    at: datetime
    mail: EmailMessage

    @property
    def text(self) -> str:
        part = self.mail.get_body(("plain",))
        return str(part.get_content()) if part is not None else ""


class Inbox:
    """What the SMTP side received, newest first; aiosmtpd calls `handle_DATA`."""

    def __init__(self) -> None:
        self._mails: deque[Received] = deque(maxlen=KEEP)
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        with self._lock:
            self._mails.appendleft(Received(datetime.now().astimezone(), mail))
        return "250 Message accepted for delivery"

    @property
    def mails(self) -> list[Received]:
        with self._lock:
            return list(self._mails)


def page(inbox: Inbox) -> str:
    """The list of received mails, German headings; each mail's text folds open."""
    rows = []
    for item in inbox.mails:
        mail = item.mail
        rows.append(
            "<tr><td>{at}</td><td>{to}</td><td><details><summary>{subject}</summary><pre>{text}</pre>"
            "</details></td></tr>".format(
                at=html.escape(f"{item.at:%d.%m.%Y %H:%M:%S}"),
                to=html.escape(str(mail["To"] or "")),
                subject=html.escape(str(mail["Subject"] or "(ohne Betreff)")),
                text=html.escape(item.text),
            )
        )
    body = (
        "<table><caption>Empfangene E-Mails, neueste zuerst</caption><thead><tr><th scope=col>Empfangen</th>"
        "<th scope=col>An</th><th scope=col>Betreff und Text</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
        if rows
        else "<p>Noch keine E-Mails. Erinnerungen der Nachbarschaftshilfe erscheinen hier.</p>"
    )
    return f"""<!doctype html>
<html lang="de"><head><meta charset="utf-8"><meta http-equiv="refresh" content="15">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lokaler Posteingang – Quartiersnetz</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}}table{{border-collapse:collapse;width:100%}}
th,td{{border-bottom:1px solid #ccc;padding:.4rem;text-align:left;vertical-align:top}}
pre{{white-space:pre-wrap}}</style>
</head><body><main><h1>Lokaler Posteingang</h1>
<p>Alle E-Mails, die Quartiersnetz bei <code>make run</code> verschickt; nichts wird zugestellt.
Die Seite lädt sich alle 15 Sekunden neu.</p>
{body}</main></body></html>"""


def serve(smtp_port: int, http_port: int, host: str = "127.0.0.1") -> tuple[Controller, ThreadingHTTPServer]:
    inbox = Inbox()
    # aiosmtpd logs every recipient: addresses are personal data, even in a local run
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = Controller(inbox, hostname=host, port=smtp_port)
    controller.start()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path not in ("/", "/index.html"):
                self.send_error(404, "Nicht gefunden")
                return
            content = page(inbox).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: `make run` shows the services' lines

    http = ThreadingHTTPServer((host, http_port), Handler)
    threading.Thread(target=http.serve_forever, name="mail-page", daemon=True).start()
    return controller, http


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smtp-port", type=int, default=1025)
    parser.add_argument("--http-port", type=int, default=8025)
    args = parser.parse_args()
    controller, http = serve(args.smtp_port, args.http_port)
    print(f"Mail catcher: SMTP on 127.0.0.1:{args.smtp_port}, mails at http://127.0.0.1:{args.http_port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    http.shutdown()
    controller.stop()


if __name__ == "__main__":
    main()
