"""`make bench`: every benchmark, each as ratios against a baseline measured in the same run.

Machines are shared and noisy, so absolute figures vary from run to run; the ratios are what to
compare. Speed and memory targets live here, never in timed tests."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> int:
    import addresses
    import cluster
    import concerns
    import consumers
    import portal
    import ranking
    import rebuild
    import scheduling

    print(f"Quartiersnetz benchmarks ({time.strftime('%Y-%m-%d %H:%M')}, Python {sys.version.split()[0]})\n")
    print("1. Address lookups with Berlin's street directory (401,032 addresses)")
    address_figures = addresses.run()
    print(
        addresses.report(address_figures)
        if address_figures
        else "   skipped: Berlin data not found beside the repository"
    )
    print("\n2. Recording concerns over HTTP")
    print(concerns.report(concerns.run()))
    print("\n3. Consumers at broker speed")
    print(consumers.report(consumers.run()))
    print("\n4. Rebuilding reporting from the streams")
    print(rebuild.report(rebuild.run()))
    print("\n5. The portal's pages against the API call behind them")
    print(portal.report(portal.run()))
    print("\n6. Publishing through a stream leader's crash on a three-node cluster")
    print(cluster.report(cluster.run()))
    print("\n7. Scheduling: a series against a full calendar, a city's week, a site's feed")
    print(scheduling.report(scheduling.run()))
    print("\n8. Ranking a help request among 100,000 volunteers (Berlin's planning areas)")
    print(ranking.report(ranking.run()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
