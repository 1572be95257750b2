"""`python -m qn_infra.healthcheck`: exits 0 when the service in this container answers
`/healthz` -- the image's HEALTHCHECK, which has no curl. `QN_HEALTH_URL` says where to ask."""

from __future__ import annotations

import os
import sys
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8000/healthz"


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def main() -> None:
    sys.exit(0 if healthy(os.environ.get("QN_HEALTH_URL", DEFAULT_URL)) else 1)


if __name__ == "__main__":
    main()
