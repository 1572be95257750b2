"""Address lookups with Berlin's street directory loaded (401,032 addresses, 542 planning areas).

Loads the directory in memory from `../shared/data/berlin/adressen.csv.gz` through intake's own
row reader, then resolves a realistic mix of addresses as staff type them -- exact, abbreviated
('Ackerstr.', '1 A'), lower case ('ackerstrasse'), without postcode where none is needed, and the
whole address in one line -- and compares with a baseline measured in the same run: a plain
`dict.get` of keys normalised beforehand, over the same inputs (the fastest lookup Python can do).

`run()` returns the figures as a dict; `python bench/addresses.py` prints them."""

from __future__ import annotations

import gc
import os
import random
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# beside the project, never in it; QN_BERLIN_DATA names another folder holding adressen.csv.gz
BERLIN = Path(os.environ.get("QN_BERLIN_DATA", REPO / ".." / "shared" / "data" / "berlin")) / "adressen.csv.gz"
SAMPLE = 100_000
ROUNDS = 5
MIX = ("exact", "abbreviated", "lower case", "without postcode")

Typed = tuple[str, str | None, str | None]


def _rss_kib() -> int:
    """Resident memory of this process (Linux); 0 where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _typed_variants(rows: list[Any], directory: Any, seed: int = 3) -> dict[str, list[tuple[Typed, Any]]]:
    """The same sample of addresses typed five ways, each with the directory row it stands for."""
    from qn_intake.addresses.directory import AddressProblem

    rng = random.Random(seed)
    sample = rng.sample(rows, SAMPLE)

    def abbreviated(street: str) -> str:
        short = street.replace("straße", "str.").replace("Straße", "Str.")
        return short.replace("platz", "pl.").replace("Platz", "Pl.")

    def spaced(number: str | None) -> str | None:
        return f"{number[:-1]} {number[-1]}" if number and number[-1].isalpha() else number

    def without_postcode_works(row: Any) -> bool:
        try:
            return bool(directory.resolve(abbreviated(row.street), row.house_number, None).quarter_id == row.quarter_id)
        except AddressProblem:
            return False

    return {
        "exact": [((r.street, r.house_number, r.postcode), r) for r in sample],
        "abbreviated": [((abbreviated(r.street), spaced(r.house_number), r.postcode), r) for r in sample],
        "lower case": [
            ((r.street.lower().replace("ß", "ss"), (r.house_number or "").lower() or None, r.postcode), r)
            for r in sample
        ],
        "without postcode": [
            ((abbreviated(r.street), r.house_number, None), r) for r in sample if without_postcode_works(r)
        ],
        "one line": [
            ((f"{abbreviated(r.street)} {spaced(r.house_number) or ''}, {r.postcode}", None, None), r) for r in sample
        ],
    }


def _seconds(lookup: Callable[..., Any], inputs: list[Any], star: bool) -> float:
    """The time one pass over `inputs` takes on an otherwise idle core: each chunk of 5,000 is
    timed ROUNDS times and its fastest round counts (as timeit does), so that other processes on a
    shared machine do not count against the lookups."""
    total = 0.0
    gc.disable()  # as timeit does: a collection of the 400,000 rows held here is not a lookup's cost
    try:
        total = _chunked(lookup, inputs, star)
    finally:
        gc.enable()
    return total


def _chunked(lookup: Callable[..., Any], inputs: list[Any], star: bool) -> float:
    total = 0.0
    for start in range(0, len(inputs), 5000):
        chunk = inputs[start : start + 5000]
        best = float("inf")
        for _ in range(ROUNDS):
            began = time.perf_counter()
            if star:
                for item in chunk:
                    lookup(*item)
            else:
                for item in chunk:
                    lookup(item)
            best = min(best, time.perf_counter() - began)
        total += best
    return total


def run() -> dict[str, Any]:
    """Measures loading, memory and lookups; returns {'skipped': reason} without the Berlin data."""
    if not BERLIN.is_file():
        return {"skipped": f"Berlin street directory not found at {BERLIN.resolve()}"}
    sys.path.insert(0, str(REPO / "services" / "intake"))
    from qn_intake.addresses import directory as directory_module
    from qn_intake.addresses.directory import StreetDirectory
    from qn_intake.addresses.importer import directory_file
    from qn_intake.addresses.normalize import cached_street_key

    start = time.perf_counter()
    rows = list(directory_file(BERLIN).rows())
    read_seconds = time.perf_counter() - start
    gc.collect()
    rss_before = _rss_kib()
    start = time.perf_counter()
    directory = StreetDirectory(rows)
    build_seconds = time.perf_counter() - start
    rss_delta = _rss_kib() - rss_before
    tracemalloc.start()  # a second build, traced: tracing slows building, so the first one is timed
    traced = StreetDirectory(rows)
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del traced
    gc.collect()

    variants = _typed_variants(rows, directory)
    resolve = directory.resolve
    by_kind = {kind: len(pairs) / _seconds(resolve, [t for t, _ in pairs], True) for kind, pairs in variants.items()}
    mix = [pair for kind in MIX for pair in variants[kind]]
    random.Random(5).shuffle(mix)
    typed = [t for t, _ in mix]
    mix_seconds = _seconds(resolve, typed, True)

    # baseline: the same addresses, their keys normalised beforehand, each looked up with one dict.get
    flat = {(cached_street_key(r.street), r.house_number, r.postcode): r.quarter_id for r in rows}
    get = flat.get
    normalised = [(cached_street_key(r.street), r.house_number, r.postcode) for _, r in mix]
    baseline_seconds = _seconds(get, normalised, False)
    assert all(get(key) == r.quarter_id for key, (_, r) in zip(normalised, mix, strict=True))

    # first sight of every typed string: the caches of keys, numbers and postcodes emptied, one pass
    for cache in (cached_street_key, directory_module._typed_number, directory_module._typed_postcode):
        cache.cache_clear()
    began = time.perf_counter()
    for item in typed:
        resolve(*item)
    cold_seconds = time.perf_counter() - began
    mixed_rate, baseline_rate = len(mix) / mix_seconds, len(mix) / baseline_seconds

    return {
        "addresses": directory.size,
        "streets": directory.street_count,
        "quarters": directory.quarter_count,
        "read_csv_seconds": round(read_seconds, 2),
        "build_directory_seconds": round(build_seconds, 2),
        "directory_memory_mib": round(held / 2**20, 1),
        "directory_peak_memory_mib": round(peak / 2**20, 1),
        "rss_delta_mib_directory": round(rss_delta / 1024, 1),
        "lookups_per_second_mix": round(mixed_rate),
        "lookups_per_second_first_sight": round(len(mix) / cold_seconds),
        "lookups_per_second_by_kind": {k: round(v) for k, v in by_kind.items()},
        "baseline_dict_get_per_second": round(baseline_rate),
        "ratio_mix_to_baseline": round(mixed_rate / baseline_rate, 3),
        "inputs_per_kind": {k: len(v) for k, v in variants.items()},
    }


def report(figures: dict[str, Any]) -> str:
    if "skipped" in figures:
        return f"address lookups: skipped -- {figures['skipped']}"
    kinds = figures["lookups_per_second_by_kind"]
    lines = [
        "Address lookups, Berlin street directory "
        f"({figures['addresses']:,} addresses, {figures['streets']:,} streets, {figures['quarters']} planning areas)",
        f"  load: read CSV {figures['read_csv_seconds']:.2f} s + "
        f"build directory {figures['build_directory_seconds']:.2f} s",
        f"  memory: directory holds {figures['directory_memory_mib']} MiB "
        f"(tracemalloc; peak {figures['directory_peak_memory_mib']} MiB while building; "
        f"process RSS +{figures['rss_delta_mib_directory']} MiB)",
        f"  lookups/s, realistic mix:   {figures['lookups_per_second_mix']:>12,}  ({', '.join(MIX)})",
        f"  lookups/s, first sight:     {figures['lookups_per_second_first_sight']:>12,}"
        "  (the mix once, caches emptied)",
        *(f"    {kind + ':':<24}{rate:>12,}" for kind, rate in kinds.items()),
        f"  baseline dict.get/s:        {figures['baseline_dict_get_per_second']:>12,}  (keys normalised beforehand)",
        f"  ratio mix / baseline:       {figures['ratio_mix_to_baseline']:>12}",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(run()))
