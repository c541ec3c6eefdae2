"""Baseline: the few lines of FastAPI + scipy a user would write instead of divergenced.

POST /kl {"p": [...], "q": [...]} -> {"kl": D(p||q)} (natural log, inputs normalised by
scipy). Run: python3 -m uvicorn --app-dir bench fastapi_service:app --workers 2
"""
from typing import List

import numpy as np
from fastapi import FastAPI
from pydantic import BaseModel
from scipy.stats import entropy

app = FastAPI()


class KLIn(BaseModel):
    p: List[float]
    q: List[float]


@app.post("/kl")
def kl(body: KLIn):
    return {"kl": float(entropy(np.asarray(body.p), np.asarray(body.q))), "n": len(body.p)}
