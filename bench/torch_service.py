"""Baseline: batched categorical KL the PyTorch way, behind FastAPI.

POST /batch/categorical-kl {"p_logits": B x K, "q_logits": B x K} ->
{"kl": [B], "mean", "sum"} with kl_div(log_softmax(q), log_softmax(p), log_target=True).
The body is parsed with json.loads (faster than pydantic for big nested lists).
"""
import json

import torch
import torch.nn.functional as F
from fastapi import FastAPI, Request, Response

torch.set_num_threads(1)
app = FastAPI()


@app.post("/batch/categorical-kl")
async def batch_kl(request: Request):
    body = json.loads(await request.body())
    p = torch.tensor(body["p_logits"], dtype=torch.float64)
    q = torch.tensor(body["q_logits"], dtype=torch.float64)
    lp = F.log_softmax(p, dim=-1)
    lq = F.log_softmax(q, dim=-1)
    kl = F.kl_div(lq, lp, reduction="none", log_target=True).sum(dim=-1)
    out = {"kl": kl.tolist(), "mean": float(kl.mean()), "sum": float(kl.sum())}
    return Response(json.dumps(out), media_type="application/json")
