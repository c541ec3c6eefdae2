"""Baseline: feature drift the numpy + scipy way, behind FastAPI (what /drift replaces).

POST /drift {"reference": {name: [numbers]}, "current": {name: [numbers]}, "bins": k}
-> per feature what divergenced's /drift answers by default for a numeric feature:
quantile edges fitted on the reference (np.quantile, "linear", duplicates merged), counts
with a value on an edge going right, proportions smoothed as (c/n + eps) / (1 + k eps),
PSI, Jensen-Shannon distance (scipy), Hellinger, scipy's wasserstein_distance (also over
the reference's population sigma) and ks_2samp. The body is parsed with json.loads
(faster than pydantic for big lists). Numeric features only, no nulls: the bench sends
nothing else. Run: python3 -m uvicorn --app-dir bench drift_service:app
"""
import json

import numpy as np
from fastapi import FastAPI, Request, Response
from scipy.spatial.distance import jensenshannon
from scipy.stats import ks_2samp, wasserstein_distance

app = FastAPI()
EPS = 1e-4


def feature(ref, cur, k):
    edges = np.unique(np.quantile(ref, np.arange(1, k) / k))
    # bins (-inf, e1), [e1, e2), ..., [e_last, inf): searchsorted "right" sends ties right
    rc = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=len(edges) + 1)
    cc = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=len(edges) + 1)
    nb = len(rc)
    p = (rc / len(ref) + EPS) / (1 + nb * EPS)
    q = (cc / len(cur) + EPS) / (1 + nb * EPS)
    w1 = float(wasserstein_distance(ref, cur))
    sd = float(np.std(ref))
    ks = ks_2samp(ref, cur)
    out = {"kind": "numeric", "n_reference": len(ref), "n_current": len(cur),
           "edges": edges.tolist(), "reference_counts": rc.tolist(),
           "current_counts": cc.tolist(),
           "psi": float(np.sum((p - q) * np.log(p / q))),
           "js_distance": float(jensenshannon(p, q)),
           "hellinger": float(np.sqrt(0.5 * np.sum((np.sqrt(p) - np.sqrt(q)) ** 2))),
           "wasserstein": w1,
           "ks": {"statistic": float(ks.statistic), "p_value": float(ks.pvalue)}}
    if sd > 0:
        out["wasserstein_normed"] = w1 / sd
    return out


@app.post("/drift")
async def drift(request: Request):
    body = json.loads(await request.body())
    k = int(body.get("bins", 10))
    feats = {}
    for name, ref in body["reference"].items():
        feats[name] = feature(np.asarray(ref, dtype=np.float64),
                              np.asarray(body["current"][name], dtype=np.float64), k)
    return Response(json.dumps({"features": feats, "features_total": len(feats)}),
                    media_type="application/json")
