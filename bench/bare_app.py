"""The baseline: a bare FastAPI endpoint that parses the same concern body and does nothing else."""

from __future__ import annotations

import uuid

from fastapi import FastAPI

from qn_intake.concerns.schemas import ConcernIn

app = FastAPI()


@app.post("/concerns", status_code=201)
def record(body: ConcernIn) -> dict[str, str]:
    return {"id": str(uuid.uuid4()), "channel": body.channel.value}
