"""Disclosure control: what the statistics office may publish of its cells (issue "Reporting:
the committee's statistics office"). Plain functions and data, no framework, no database.

- `cube`: the dimensions of a table family (months ⊂ Quartal ⊂ year, quarter ⊂ district ⊂ city,
  topic ⊂ all topics) and the linear relations an outsider knows between its cells;
- `audit`: the interval attack -- for each hidden cell the smallest and largest value consistent
  with everything published (linear programming);
- `certify`: which small cells the attack still pins, proving many with one program;
- `regions`: a large cube audited district by district, each region's attack stricter than the
  whole one;
- `protect`: primary suppression below a minimum and secondary suppression until the audit finds
  every small cell protected; shares and means only on a base at or above the minimum."""

from .audit import Interval, intervals
from .cube import Cube, Dimension, Key
from .protect import Protected, protect, safe_share

__all__ = ["Cube", "Dimension", "Interval", "Key", "Protected", "intervals", "protect", "safe_share"]
