"""Protects the dashboard's figures of the current year in the background once the service runs.

Protecting a year is slow where many cells are small (the demo city's unmet need by topic and
reason takes minutes of linear programs on two cores): without this, the first person to open the
dashboard after a start waits for all of it. The cubes are kept (`ProtectedCubes`,
`ProtectedBreakdowns`), so a request after the warm-up is served at once, and a request during it
waits only for what is left. Off by default: tests build many apps and need none of it."""

from __future__ import annotations

import threading
import time

from sqlalchemy.exc import OperationalError, ProgrammingError

from qn_infra.logs import get_logger
from qn_infra.runtime import ServiceRuntime

from .breakdowns import handlers as breakdowns
from .breakdowns.catalogue import FIGURES
from .dashboard.api import PUBLIC_METRICS
from .tables import domain
from .tables.handlers import ProtectedCubes, get_table

log = get_logger(__name__)


def start(
    runtime: ServiceRuntime,
    cubes: ProtectedCubes,
    finer: breakdowns.ProtectedBreakdowns,
    *,
    year: int | None = None,
) -> threading.Thread:
    """Starts the warm-up of `year` (default: the clock's) and returns its thread."""
    year = year or runtime.clock.now().year
    thread = threading.Thread(target=_run, args=(runtime, cubes, finer, year), name="figures-warm-up", daemon=True)
    thread.start()
    return thread


def _run(runtime: ServiceRuntime, cubes: ProtectedCubes, finer: breakdowns.ProtectedBreakdowns, year: int) -> None:
    started = time.monotonic()
    for attempt in range(30):
        try:
            with runtime.sessions() as session:
                for metric in PUBLIC_METRICS:
                    get_table(
                        cubes,
                        session,
                        metric=metric,
                        year=year,
                        time=domain.TimeLevel.QUARTAL,
                        place=domain.PlaceLevel.QUARTER,
                        by_topic=True,
                    )
                for name in FIGURES:
                    breakdowns.get_figure(finer, session, name=name, year=year)
            log.info("figures_warmed_up", year=year, seconds=round(time.monotonic() - started, 1))
            return
        except (OperationalError, ProgrammingError):
            time.sleep(2)  # the tables are not there yet: the migration step runs beside the service
        except Exception as error:  # noqa: BLE001 -- a warm-up must never take the service down
            log.warning("figures_warm_up_failed", error=type(error).__name__, attempt=attempt)
            return
