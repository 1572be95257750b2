"""`make bench`: every benchmark, each as ratios against a baseline measured in the same run.

Machines are shared and noisy, so absolute figures vary from run to run; the ratios are what to
compare. Speed and memory targets live here, never in timed tests."""

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
        "--only", default=",".join(SECTIONS), help="comma-separated sections to run (default: all): %(default)s"
    )
    parser.add_argument(
        "--rebuild-events", type=int, default=None, help="events for the rebuild benchmark (default 1,000,000)"
    )
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    import addresses
    import cluster
    import concerns
    import consumers
    import portal
    import ranking
    import rebuild
    import scheduling
    import tables

    print(f"Quartiersnetz benchmarks ({time.strftime('%Y-%m-%d %H:%M')}, Python {sys.version.split()[0]})\n")
    if "addresses" in only:
        print("1. Address lookups with Berlin's street directory (401,032 addresses)")
        address_figures = addresses.run()
        print(
            addresses.report(address_figures)
            if address_figures
            else "   skipped: Berlin data not found beside the repository"
        )
    if "concerns" in only:
        print("\n2. Recording concerns over HTTP")
        print(concerns.report(concerns.run()))
    if "consumers" in only:
        print("\n3. Consumers at broker speed")
        print(consumers.report(consumers.run()))
    if "rebuild" in only:
        print("\n4. Rebuilding reporting from the streams")
        print(rebuild.report(rebuild.run(args.rebuild_events or rebuild.EVENTS)))
    if "portal" in only:
        print("\n5. The portal's pages against the API call behind them")
        print(portal.report(portal.run()))
    if "cluster" in only:
        print("\n6. Publishing through a stream leader's crash on a three-node cluster")
        print(cluster.report(cluster.run()))
    if "scheduling" in only:
        print("\n7. Scheduling: a series against a full calendar, a city's week, a site's feed")
        print(scheduling.report(scheduling.run()))
    if "ranking" in only:
        print("\n8. Ranking a help request among 100,000 volunteers (Berlin's planning areas)")
        print(ranking.report(ranking.run()))
    if "tables" in only:
        print("\n9. Reporting's published tables and dashboard for Berlin's 542 planning areas")
        print(tables.report(tables.run()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
