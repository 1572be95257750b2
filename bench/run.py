"""`make bench`: every benchmark, each as ratios against a baseline measured in the same run.

Machines are shared and noisy, so absolute figures vary from run to run; the ratios are what to
compare. Speed and memory targets live here, never in timed tests.

`--only NAME` runs one section (e.g. `--only consumers`), `--only consumers:matching` one part of
the consumers' section (raw, matching, relay, e2e) -- for profiling one figure."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


SECTIONS = ("addresses", "concerns", "consumers", "rebuild", "portal", "cluster", "scheduling", "ranking", "tables")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        metavar="SECTION[:PART]",
        help=f"run one section ({', '.join(SECTIONS)}); consumers:PART runs one part of it",
    )
    parser.add_argument(
        "--rebuild-events", type=int, default=None, help="events for the rebuild benchmark (default 1,000,000)"
    )
    args = parser.parse_args(argv)
    only, _, part = (args.only or "").partition(":")
    if only and only not in SECTIONS:
        parser.error(f"unknown section {only!r}; one of {', '.join(SECTIONS)}")
    import addresses
    import cluster
    import concerns
    import consumers
    import portal
    import ranking
    import rebuild
    import scheduling
    import tables

    def wanted(name: str) -> bool:
        return not only or only == name

    print(f"Quartiersnetz benchmarks ({time.strftime('%Y-%m-%d %H:%M')}, Python {sys.version.split()[0]})\n")
    if wanted("addresses"):
        print("1. Address lookups with Berlin's street directory (401,032 addresses)")
        address_figures = addresses.run()
        print(
            addresses.report(address_figures)
            if address_figures
            else "   skipped: Berlin data not found beside the repository"
        )
    if wanted("concerns"):
        print("\n2. Recording concerns over HTTP")
        print(concerns.report(concerns.run()))
    if wanted("consumers"):
        print("\n3. Consumers at broker speed")
        print(consumers.report(consumers.run(parts=[part] if part else None)))
    if wanted("rebuild"):
        print("\n4. Rebuilding reporting from the streams")
        print(rebuild.report(rebuild.run(args.rebuild_events or rebuild.EVENTS)))
    if wanted("portal"):
        print("\n5. The portal's pages against the API call behind them")
        print(portal.report(portal.run()))
    if wanted("cluster"):
        print("\n6. Publishing through a stream leader's crash on a three-node cluster")
        print(cluster.report(cluster.run()))
    if wanted("scheduling"):
        print("\n7. Scheduling: a series against a full calendar, a city's week, a site's feed")
        print(scheduling.report(scheduling.run()))
    if wanted("ranking"):
        print("\n8. Ranking a help request among 100,000 volunteers (Berlin's planning areas)")
        print(ranking.report(ranking.run()))
    if wanted("tables"):
        print("\n9. Reporting's published tables and dashboard for Berlin's 542 planning areas")
        print(tables.report(tables.run()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
