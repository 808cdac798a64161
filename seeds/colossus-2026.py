#!/usr/bin/env python3
"""Builds seeds/colossus-2026.json: a fleet like the one in the June 2026 market notes.

About 555,000 GPUs in seven pools at four sites (H100, H200, GB200, GB300 and an orbital pool whose deliveries are
late and uncertain), 52 weekly periods, power caps that bind at three sites, the ~1.25B USD/month customer as signed
leases plus expansion offers, a few hundred smaller offers, in-house pretrain -> post-train chains (Grok, Composer),
a spot market and an uncertainty section. Deterministic: run it again and the file is the same.
"""
import json
import random
from pathlib import Path

rng = random.Random(2026)
T = 52

sites = [
    {"id": "memphis-1", "powerCapMw": 270, "powerCostPerMwh": 58},
    # Memphis 2 adds gas turbines through the year: its cap steps up every quarter.
    {"id": "memphis-2", "powerCapMw": [380] * 13 + [430] * 13 + [480] * 13 + [520] * 13, "powerCostPerMwh": 62},
    {"id": "atlanta", "powerCapMw": 150, "powerCostPerMwh": 71},
    {"id": "orbital-leo", "powerCapMw": 22, "powerCostPerMwh": 0},
]
pools = [
    {"id": "c1-h100", "site": "memphis-1", "gpuType": "H100", "gpus": 150000, "kwPerGpu": 1.4},
    {"id": "c1-h200", "site": "memphis-1", "gpuType": "H200", "gpus": 50000, "kwPerGpu": 1.6},
    {"id": "c2-gb200", "site": "memphis-2", "gpuType": "GB200", "gpus": 110000, "kwPerGpu": 2.1,
     "deliveries": [{"period": 8, "gpus": 30000}, {"period": 20, "gpus": 30000}]},
    {"id": "c2-h200", "site": "memphis-2", "gpuType": "H200", "gpus": 80000, "kwPerGpu": 1.6},
    {"id": "atl-h100", "site": "atlanta", "gpuType": "H100", "gpus": 60000, "kwPerGpu": 1.4},
    {"id": "atl-gb300", "site": "atlanta", "gpuType": "GB300", "gpus": 0, "kwPerGpu": 2.4,
     "deliveries": [{"period": 16, "gpus": 20000}, {"period": 30, "gpus": 20000}]},
    {"id": "orbital-1", "site": "orbital-leo", "gpuType": "GB200", "gpus": 0, "kwPerGpu": 2.0,
     "deliveries": [{"period": 30, "gpus": 5000}, {"period": 44, "gpus": 5000}]},
]
by_type = {}
for p in pools:
    by_type.setdefault(p["gpuType"], []).append(p["id"])
price_range = {"H100": (1.90, 2.70), "H200": (2.40, 3.30), "GB200": (3.60, 4.80), "GB300": (4.60, 6.00)}

leases = [
    # The ~1.25B USD/month customer: 380,000 GPUs signed for the whole year, plus two expansion offers.
    {"id": "anthropic-gb200", "customer": "Anthropic", "status": "signed", "gpus": 100000, "periods": T,
     "earliestStart": 0, "latestStart": 0, "pools": ["c2-gb200"], "pricePerGpuHour": 4.60, "penaltyPerGpuHour": 9.20},
    {"id": "anthropic-h100", "customer": "Anthropic", "status": "signed", "gpus": 120000, "periods": T,
     "earliestStart": 0, "latestStart": 0, "pools": ["c1-h100"], "pricePerGpuHour": 2.90, "penaltyPerGpuHour": 5.80},
    {"id": "anthropic-h200-m1", "customer": "Anthropic", "status": "signed", "gpus": 40000, "periods": T,
     "earliestStart": 0, "latestStart": 0, "pools": ["c1-h200"], "pricePerGpuHour": 3.40, "penaltyPerGpuHour": 6.80},
    {"id": "anthropic-h200-m2", "customer": "Anthropic", "status": "signed", "gpus": 70000, "periods": T,
     "earliestStart": 0, "latestStart": 0, "pools": ["c2-h200"], "pricePerGpuHour": 3.40, "penaltyPerGpuHour": 6.80},
    {"id": "anthropic-atl", "customer": "Anthropic", "status": "signed", "gpus": 50000, "periods": T,
     "earliestStart": 0, "latestStart": 0, "pools": ["atl-h100"], "pricePerGpuHour": 2.90, "penaltyPerGpuHour": 5.80},
    {"id": "anthropic-gb300-expansion", "customer": "Anthropic", "status": "offer", "gpus": 30000, "periods": 34,
     "earliestStart": 16, "latestStart": 18, "pools": ["atl-gb300"], "pricePerGpuHour": 5.80, "penaltyPerGpuHour": 11.60},
    {"id": "anthropic-gb200-expansion", "customer": "Anthropic", "status": "offer", "gpus": 60000, "periods": 30,
     "earliestStart": 20, "latestStart": 22, "pools": ["c2-gb200"], "pricePerGpuHour": 4.70, "penaltyPerGpuHour": 9.40},
]
for k in range(12):
    gpu_type = rng.choice(["H200", "GB200", "GB300"])
    periods = rng.randint(8, 26)
    earliest = rng.randint(0, T - periods)
    lo, hi = price_range[gpu_type]
    price = round(rng.uniform(lo, hi), 2)
    leases.append({"id": f"google-{k + 1}", "customer": "Google", "status": "offer", "gpus": rng.randint(5, 20) * 1000,
                   "periods": periods, "earliestStart": earliest, "latestStart": min(T - periods, earliest + rng.randint(0, 4)),
                   "pools": by_type[gpu_type], "pricePerGpuHour": price, "penaltyPerGpuHour": round(price * 1.5, 2)})
customers = ["Mistral", "Perplexity", "Character", "Reka", "Cohere", "Runway", "Midjourney", "Suno", "Poolside", "Magic",
             "Imbue", "Black Forest Labs", "Luma", "Pika", "Harvey", "Sierra", "Decagon", "Physical Intelligence"]
for k in range(280):
    gpu_type = rng.choice(["H100", "H100", "H200", "H200", "GB200", "GB300"])
    periods = rng.randint(2, 26)
    earliest = rng.randint(0, T - periods)
    lo, hi = price_range[gpu_type]
    price = round(rng.uniform(lo, hi), 2)
    lease = {"id": f"offer-{k + 1:03d}", "customer": rng.choice(customers), "status": "offer",
             "gpus": rng.choice([256, 512, 1024, 2048, 4096, 8192]) * rng.randint(1, 2), "periods": periods,
             "earliestStart": earliest, "latestStart": min(T - periods, earliest + rng.randint(0, 6)),
             "pricePerGpuHour": price, "penaltyPerGpuHour": round(price * rng.uniform(1.0, 2.0), 2)}
    if rng.random() < 0.8:
        lease["pools"] = by_type[gpu_type]
    leases.append(lease)

jobs = [
    {"id": "grok-5-pretrain", "gpus": 60000, "periods": 12, "earliestStart": 2, "deadline": 40, "pools": ["c2-gb200"],
     "value": 3.0e9, "decayPerPeriod": 6.0e7, "successProbability": 0.55},
    {"id": "grok-5-posttrain", "gpus": 20000, "periods": 4, "earliestStart": 14, "deadline": 48, "pools": ["c2-gb200", "c2-h200"],
     "value": 8.0e8, "decayPerPeriod": 2.0e7, "successProbability": 0.8, "after": ["grok-5-pretrain"]},
    {"id": "composer-3-pretrain", "gpus": 25000, "periods": 8, "earliestStart": 0, "deadline": 30, "pools": ["c2-gb200", "c1-h200", "c2-h200"],
     "value": 2.5e9, "decayPerPeriod": 8.0e7, "successProbability": 0.5},
    {"id": "composer-3-rl", "gpus": 10000, "periods": 4, "earliestStart": 8, "deadline": 38, "pools": ["c1-h200", "c2-h200"],
     "value": 9.0e8, "decayPerPeriod": 3.0e7, "successProbability": 0.75, "after": ["composer-3-pretrain"]},
    {"id": "grok-4-3-refresh", "gpus": 8000, "periods": 3, "earliestStart": 0, "deadline": 20, "pools": ["c1-h100", "atl-h100"],
     "value": 1.2e8, "decayPerPeriod": 2.0e6, "successProbability": 0.9, "required": True},
    {"id": "grok-imagine-video", "gpus": 15000, "periods": 6, "earliestStart": 4, "deadline": 51, "pools": ["c1-h100", "atl-h100"],
     "value": 3.5e8, "decayPerPeriod": 5.0e6, "successProbability": 0.6},
    {"id": "grok-imagine-video-post", "gpus": 5000, "periods": 2, "earliestStart": 10, "deadline": 51, "pools": ["c1-h100", "atl-h100"],
     "value": 1.0e8, "decayPerPeriod": 2.0e6, "successProbability": 0.8, "after": ["grok-imagine-video"]},
    {"id": "orbital-pilot", "gpus": 4000, "periods": 6, "earliestStart": 30, "deadline": 51, "pools": ["orbital-1"],
     "value": 6.0e7, "decayPerPeriod": 1.0e6, "successProbability": 0.4},
]
for k in range(10):
    gpu_type = rng.choice(["H100", "H200", "GB200"])
    periods = rng.randint(1, 4)
    earliest = rng.randint(0, T - periods - 4)
    jobs.append({"id": f"research-{k + 1:02d}", "gpus": rng.choice([1024, 2048, 4096]), "periods": periods,
                 "earliestStart": earliest, "deadline": min(T - 1, earliest + periods - 1 + rng.randint(2, 12)),
                 "pools": by_type[gpu_type], "value": float(rng.randint(5, 60)) * 1e6,
                 "decayPerPeriod": float(rng.randint(1, 10)) * 1e5, "successProbability": round(rng.uniform(0.3, 0.9), 2)})

instance = {
    "name": "colossus-2026",
    "horizon": {"start": "2026-07-06", "periods": T, "periodHours": 168},
    "sites": sites, "pools": pools, "leases": leases, "jobs": jobs,
    "spot": {"pricePerGpuHour": 1.85, "sellThrough": 0.35},
    "uncertainty": {
        "deliverySlip": {"probability": 0.35, "maxPeriods": 6},
        "outage": {"mean": 0.02, "max": 0.08},
        "jobOverrun": {"probability": 0.25, "maxFraction": 0.5},
        "jobSuccess": True,
        "spotVolatility": 0.12,
    },
}
Path(__file__).with_name("colossus-2026.json").write_text(json.dumps(instance, indent=1) + "\n")
