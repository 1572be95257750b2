"""`make run`'s mail catcher: what matching sends arrives, and its page lists it (German headings),
escaped; the banner names the page."""

from __future__ import annotations

import importlib.util
import smtplib
import sys
from email.message import EmailMessage
from types import ModuleType

import httpx
import pytest

from qn_infra.devkeys import DevCity
from qn_infra.embedded_broker import free_port
from qn_testkit.services import REPO
from qn_testkit.waiting import eventually

pytestmark = pytest.mark.integration


def local_module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"local_{name}", REPO / "deploy" / "local" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_a_mail_sent_to_the_catcher_is_listed_on_its_page() -> None:
    catcher = local_module("mailcatcher")
    smtp_port, page_port = free_port(), free_port()
    controller, http = catcher.serve(smtp_port, page_port)
    try:
        empty = httpx.get(f"http://127.0.0.1:{page_port}/")
        assert empty.status_code == 200 and "Noch keine E-Mails" in empty.text
        mail = EmailMessage()
        mail["From"], mail["To"] = "qn@quartiersnetz.invalid", "renate.k@example.org"
        mail["Subject"] = "Erinnerung: Einkaufen <bald>"
        mail.set_content("Einkaufen in Ziebigk.")
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=5) as smtp:
            smtp.send_message(mail)
        page = eventually(
            lambda: (
                (text := httpx.get(f"http://127.0.0.1:{page_port}/").text) and "Einkaufen in Ziebigk" in text and text
            ),
            what="the mail on the page",
        )
        assert "<h1>Lokaler Posteingang</h1>" in page and '<html lang="de">' in page
        assert "Erinnerung: Einkaufen &lt;bald&gt;" in page and "renate.k@example.org" in page
        assert httpx.get(f"http://127.0.0.1:{page_port}/other").status_code == 404
    finally:
        http.shutdown()
        controller.stop()


def test_the_start_banner_names_the_mail_page() -> None:
    run = local_module("run")
    text = run.banner(
        DevCity.read(REPO / "deploy" / "demo-city"), nats_url="nats://x", port_note="", sites=1, volunteers=1, token="T"
    )
    assert f"mails       http://127.0.0.1:{run.MAIL_PAGE_PORT}" in text
    assert run.service_env("matching", "nats://x")["QN_MATCHING_SMTP_PORT"] == str(run.MAIL_SMTP_PORT)
