"""Reminders by e-mail, sent once each, read back from a real SMTP server (aiosmtpd). Time passes
by moving the service's clock; a reminder round is the one the service's scheduler runs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from qn_matching.app import reminder_round
from qn_matching.notifications.email import SmtpNotifier
from qn_matching.notifications.jobs import send_due_reminders
from qn_matching.notifications.port import Message, NotDelivered, Recipient
from qn_testkit.mail import MailBox, mail_catcher
from qn_testkit.waiting import eventually

pytestmark = pytest.mark.integration

RENATE = "renate.k@example.org"
TEAM = "nachbarschaftshilfe@example.org"


@pytest.fixture
def mailbox() -> Iterator[MailBox]:
    with mail_catcher() as box:
        yield box


def smtp(mailbox: MailBox, **more: Any) -> dict[str, Any]:
    return {
        "smtp_host": mailbox.host,
        "smtp_port": mailbox.port,
        "smtp_starttls": False,
        "coordinator_email": TEAM,
        **more,
    }


def reminder_round_now(matching: Any, notifier: Any = None) -> int:
    """One round, as the service's scheduler runs it, at the service's time."""
    app = matching.client.app
    return send_due_reminders(
        new_uow=app.state.runtime.unit_of_work,
        notifier=notifier or SmtpNotifier.from_settings(matching.settings, matching.clock),
        now=matching.clock.now(),
        setup=reminder_round(matching.settings, app.state.matching.city),
    )


def reminders(matching: Any, **params: str) -> list[dict[str, Any]]:
    response = matching.client.get("/reminders", params=params, headers=matching.coordinator())
    assert response.status_code == 200, response.text
    return response.json()


def test_the_scheduler_reminds_of_a_proposal_and_of_the_agreed_time_once_each(start_matching, mailbox) -> None:
    with start_matching(**smtp(mailbox, reminder_check_seconds=0.2)) as matching:
        matching.register("Renate K.", account="renate.k", email=RENATE)
        event = matching.help_requested(quarter_id="ziebigk")
        ziebigk = matching.register("Rita Z.", account="rita.z", quarter_id="ziebigk")
        # she gives her address herself, in her own profile
        given = matching.client.patch(
            f"/volunteers/{ziebigk['id']}", json={"email": "rita@example.org"}, headers=matching.volunteer("rita.z")
        )
        assert given.status_code == 200 and given.json()["email"] == "rita@example.org"
        matching.publish(event)
        match = matching.help_request(event.help_request_id)["matches"][0]
        assert match["volunteer_id"] == ziebigk["id"]

        # 48 hours to answer; two hours before the end the volunteer is reminded, once
        matching.clock.advance(datetime.fromisoformat(match["expires_at"]) - timedelta(hours=1) - matching.clock.now())
        [asked] = eventually(lambda: mailbox.to("rita@example.org"), what="the proposal's reminder")
        assert asked["Subject"] == "Eine Anfrage wartet auf Ihre Antwort: Einkaufen"
        body = mailbox.body(asked)
        assert "Einkaufen in Ziebigk" in body and "Shopping in Ziebigk" in body
        assert "Rita" not in body  # no names at all: the proposal names the help, not a person

        accepted = matching.client.post(f"/matches/{match['id']}/accept", headers=matching.volunteer("rita.z"))
        assert accepted.status_code == 200, accepted.text
        starts = matching.clock.now() + timedelta(hours=30)
        agreed = matching.client.put(
            f"/matches/{match['id']}/appointment",
            json={"starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=1)).isoformat()},
            headers=matching.volunteer("rita.z"),
        )
        assert agreed.status_code == 200, agreed.text
        assert datetime.fromisoformat(agreed.json()["appointment_starts_at"]) == starts

        matching.clock.advance(hours=7)  # 23 hours before the visit
        eventually(lambda: len(mailbox.to("rita@example.org")) == 2, what="the task's reminder")
        reminder = mailbox.to("rita@example.org")[1]
        assert reminder["Subject"].startswith("Erinnerung: Einkaufen am ")
        # later rounds find both sent: nothing goes out twice
        assert reminder_round_now(matching) == 0
        assert len(mailbox.to("rita@example.org")) == 2
        # the scheduler writes "sent" just after the server took the mail
        outcome = {"proposal_expires": "sent", "task_starts": "sent"}
        eventually(
            lambda: {r["kind"]: r["status"] for r in reminders(matching, volunteer_id=ziebigk["id"])} == outcome,
            what="both reminders recorded as sent",
        )
        assert mailbox.to(RENATE) == []


def test_certificate_and_hours_reminders_go_out_once_even_after_a_restart(start_matching, mailbox) -> None:
    with start_matching(**smtp(mailbox)) as matching:
        renate = matching.register("Renate K.", account="renate.k", email=RENATE)
        dmitri = matching.register("Dmitri S.", quarter_id="rosslau")  # gave no e-mail address
        today = matching.clock.now().date()
        for volunteer in (renate, dmitri):
            vetted = matching.client.post(
                f"/volunteers/{volunteer['id']}/vetting",
                json={
                    "certificate_date": (today - timedelta(days=1800)).isoformat(),
                    "no_relevant_entry": True,
                    "recheck_on": (today + timedelta(days=30)).isoformat(),
                },
                headers=matching.coordinator(),
            )
            assert vetted.status_code == 200, vetted.text
        event = matching.help_requested()
        matching.publish(event)
        match = matching.help_request(event.help_request_id)["matches"][0]
        matching.client.post(f"/matches/{match['id']}/accept", headers=matching.volunteer("renate.k"))
        logged = matching.client.post(
            f"/matches/{match['id']}/hours", json={"hours": "1.5"}, headers=matching.volunteer("renate.k")
        )
        assert logged.status_code == 201, logged.text

        # the mail server refuses once: remembered as failed, and sent on the next round
        class Refusing:
            def send(self, recipient: Recipient, message: Message) -> None:
                raise NotDelivered("SMTPServerDisconnected")

        assert reminder_round_now(matching, Refusing()) == 0
        assert {r["status"] for r in reminders(matching, kind="vetting_due")} == {"failed", "no_address"}
        # Renate's, and the team's for each of them; Dmitri gave no address
        assert reminder_round_now(matching) == 3
        [to_renate] = mailbox.to(RENATE)
        assert to_renate["Subject"] == "Ihr erweitertes Führungszeugnis: bitte ein neues vorlegen"
        team = sorted(m["Subject"] for m in mailbox.to(TEAM))
        assert team == ["Führungszeugnis erneut prüfen: Dmitri S.", "Führungszeugnis erneut prüfen: Renate K."]
        [without] = reminders(matching, status="no_address")
        assert without["volunteer_id"] == dmitri["id"] and without["recipient"] == "volunteer"

        matching.clock.advance(days=7)
        assert reminder_round_now(matching) == 1
        [waiting] = [m for m in mailbox.to(TEAM) if m["Subject"].startswith("Stunden warten")]
        assert "1,5 Stunden von Renate K. (Einkaufen)" in mailbox.body(waiting)
        sent = len(mailbox.mails)

    # the same database, a new process: everything is remembered
    with start_matching(**smtp(mailbox)) as again:
        assert reminder_round_now(again) == 0
        assert len(mailbox.mails) == sent
        assert not [m for m in mailbox.mails if RENATE in str(m["To"]) and "Dmitri" in mailbox.body(m)]


def test_an_address_given_on_the_form_is_used_and_stays_out_of_answers_and_log(start_matching, mailbox, caplog) -> None:
    with start_matching(**smtp(mailbox)) as matching:
        form = matching.body("Renate K.", email=RENATE)
        applied = matching.client.post("/volunteers/applications", json=form)
        assert applied.status_code == 202 and RENATE not in applied.text
        [renate] = matching.client.get("/volunteers", headers=matching.coordinator()).json()
        assert renate["email"] == RENATE
        approved = matching.client.post(
            f"/volunteers/{renate['id']}/status",
            json={"status": "approved", "account": "renate.k"},
            headers=matching.coordinator(),
        )
        assert approved.status_code == 200, approved.text
        matching.client.post(
            f"/volunteers/{renate['id']}/status", json={"status": "active"}, headers=matching.coordinator()
        )
        bad = matching.client.patch(
            f"/volunteers/{renate['id']}", json={"email": "keine adresse"}, headers=matching.volunteer("renate.k")
        )
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "email"
        event = matching.help_requested()
        matching.publish(event)
        match = matching.help_request(event.help_request_id)["matches"][0]
        expires_at = datetime.fromisoformat(match["expires_at"])
        matching.clock.advance(expires_at - timedelta(minutes=30) - matching.clock.now())
        assert reminder_round_now(matching) == 1
        assert RENATE not in caplog.text
