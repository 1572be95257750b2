"""A busy phone line: concerns recorded through intake one after another while a test breaks
something, and what reporting has counted of them."""

from __future__ import annotations

import threading
import time

CONCERN = {
    "channel": "phone",
    "topics": ["schulden"],
    "urgency": "soon",
    "address": {"street": "Zerbster Straße", "house_number": "4"},
}


def concerns_counted(city) -> int:  # type: ignore[no-untyped-def]
    with city.client("reporting", "admin") as reporting:
        response = reporting.get("/counts", params={"metric": "concern.recorded", "topic": "*"})
        response.raise_for_status()
        return int(response.json()["total"])


class Recorder(threading.Thread):
    """Posts concerns one after another, like a busy phone line, and remembers which were accepted."""

    def __init__(self, city) -> None:  # type: ignore[no-untyped-def]
        super().__init__(daemon=True)
        self.city = city
        self.accepted: list[str] = []
        self.refused: list[int] = []
        self.stop_flag = threading.Event()

    def run(self) -> None:
        with self.city.client("intake", "team_staff", team="team-innenstadt") as intake:
            while not self.stop_flag.is_set():
                try:
                    response = intake.post("/concerns", json=CONCERN)
                except Exception:  # noqa: BLE001 -- a dropped connection is not an accepted concern
                    continue
                if response.status_code == 201:
                    self.accepted.append(response.json()["id"])
                else:
                    self.refused.append(response.status_code)
                time.sleep(0.02)
