#!/usr/bin/env python3
"""The NumPy-style baseline of issue 18: the scenario recourse of docs/scenarios.md written plainly in NumPy,
vectorised over scenarios (one plan at a time), to put the C# scorer's pairs per second beside what an afternoon's
NumPy gives. It draws the same scenarios (the same counter-based hash), so its mean must equal `allocator score`'s.

Usage: /usr/bin/python3 benchmarks/numpy-baseline/score.py INSTANCE PLAN [--scenarios N] [--seed S] [--repeat R]
Prints the plan's mean total and the scoring rate (pairs per second, draws excluded, best of R runs) as JSON.
"""
import argparse
import json
import time

import numpy as np

U64 = np.uint64
MASK = 0xFFFFFFFFFFFFFFFF


def mix(z):
    z = (z ^ (z >> U64(30))) * U64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> U64(27))) * U64(0x94D049BB133111EB)
    return z ^ (z >> U64(31))


def uniform(seed, scenarios, source, item, period):
    """ScenarioRandom.Uniform for every scenario at once."""
    h = mix(np.full(scenarios.shape, (seed + 0x9E3779B97F4A7C15) & MASK, dtype=U64))
    h = mix(h ^ (scenarios * U64(0xD1B54A32D192ED03)))
    h = mix(h ^ U64((source * 0xAEF17502108EF2D9) & MASK))
    h = mix(h ^ U64((item * 0x8CB92BA72F3D8DD7) & MASK))
    h = mix(h ^ U64((period * 0xE7037ED1A0B428DB) & MASK))
    return (h >> U64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


class Instance:
    def __init__(self, doc):
        self.T = doc["horizon"]["periods"]
        self.hours = doc["horizon"]["periodHours"]
        self.sites = [s["id"] for s in doc["sites"]]
        T = self.T
        self.cap = np.array([np.full(T, np.inf) if s.get("powerCapMw") is None else
                             np.array(s["powerCapMw"] if isinstance(s["powerCapMw"], list) else [s["powerCapMw"]] * T, float)
                             for s in doc["sites"]])
        cost = [s.get("powerCostPerMwh", 0) for s in doc["sites"]]
        self.pools = doc["pools"]
        self.pool_index = {p["id"]: i for i, p in enumerate(self.pools)}
        self.site = np.array([self.sites.index(p["site"]) for p in self.pools])
        self.kw = np.array([p["kwPerGpu"] for p in self.pools], float)
        self.power_cost = np.array([p["kwPerGpu"] / 1000 * self.hours * cost[self.site[i]] for i, p in enumerate(self.pools)])
        self.deliveries = [(i, d["period"], d["gpus"]) for i, p in enumerate(self.pools) for d in p.get("deliveries", [])]
        self.leases = doc["leases"]
        self.jobs = doc["jobs"]
        self.job_index = {j["id"]: i for i, j in enumerate(self.jobs)}
        spot = doc.get("spot")
        self.sell = spot["sellThrough"] if spot else 0.0
        price = spot["pricePerGpuHour"] if spot else 0.0
        self.spot_base = np.array(price if isinstance(price, list) else [price] * T, float)
        self.u = doc.get("uncertainty") or {}


def draw(inst, seed, scenarios):
    """The scenario draws, as arrays over scenarios (docs/scenarios.md)."""
    k = np.arange(scenarios, dtype=U64)
    S, T, u = scenarios, inst.T, inst.u
    available = np.array([[np.full(S, float(p["gpus"])) for _ in range(T)] for p in inst.pools])
    slip = u.get("deliverySlip")
    for d, (pool, period, gpus) in enumerate(inst.deliveries):
        arrival = np.full(S, period)
        if slip and slip["probability"] > 0:
            late = uniform(seed, k, 1, d, 0) < slip["probability"]
            arrival = arrival + late * (1 + (uniform(seed, k, 2, d, 0) * slip["maxPeriods"]).astype(int))
        for t in range(T):
            available[pool, t] += np.where(arrival <= t, gpus, 0)
    outage = u.get("outage")
    if outage and outage["mean"] > 0 and outage["max"] > 0:
        a = outage["max"] / outage["mean"] - 1
        for p in range(len(inst.pools)):
            for t in range(T):
                available[p, t] *= 1 - outage["max"] * np.power(uniform(seed, k, 3, p, t), a)
    overrun = u.get("jobOverrun")
    needs = []
    for j, job in enumerate(inst.jobs):
        extra = np.zeros(S, int)
        if overrun:
            most = int(np.ceil(overrun["maxFraction"] * job["periods"]))
            if most > 0:
                hit = uniform(seed, k, 4, j, 0) < overrun["probability"]
                extra = np.where(hit, 1 + (uniform(seed, k, 5, j, 0) * most).astype(int), 0)
        needs.append(job["periods"] + extra)
    success = [np.ones(S, bool) if not u.get("jobSuccess") else uniform(seed, k, 6, j, 0) < job.get("successProbability", 1)
               for j, job in enumerate(inst.jobs)]
    sigma = u.get("spotVolatility", 0)
    price = np.tile(inst.spot_base[:, None], (1, S))
    if sigma > 0:
        log_m = np.zeros(S)
        for t in range(T):
            z = np.sqrt(-2 * np.log(1 - uniform(seed, k, 7, 0, t))) * np.cos(2 * np.pi * uniform(seed, k, 8, 0, t))
            log_m += sigma * z - sigma * sigma / 2
            price[t] *= np.exp(log_m)
    arrival_p = (u.get("offerArrival") or {}).get("probability", 1)
    made = [np.ones(S, bool) if l.get("announcedAt", 0) == 0 or arrival_p >= 1 else uniform(seed, k, 9, i, 0) < arrival_p
            for i, l in enumerate(inst.leases)]
    return available, needs, success, price, made


def within_power(left, kw):
    return np.where(np.isinf(left) | (kw <= 0), np.inf, np.maximum(0, left) / kw)


def score(inst, plan, draws):
    """Total of the plan in every scenario."""
    available, needs, success, price, made = draws
    S, T, hours = available.shape[2], inst.T, inst.hours
    lease_index = {l["id"]: i for i, l in enumerate(inst.leases)}
    leases = sorted((lease_index[d["id"]], inst.pool_index[d["pool"]], d["start"]) for d in plan["leases"] if d.get("accepted"))
    jobs = sorted([(d["start"], inst.job_index[d["id"]], inst.pool_index[d["pool"]]) for d in plan["jobs"] if d.get("scheduled")])
    P = len(inst.pools)
    progress = np.zeros((len(inst.jobs), S), int)
    finished = np.full((len(inst.jobs), S), -1)
    total = np.zeros(S)
    for t in range(T):
        gpus, paid, owed = np.zeros((P, S)), np.zeros((P, S)), np.zeros((P, S))
        for i, p, start in leases:
            lease = inst.leases[i]
            if start <= t < start + lease["periods"]:
                m = made[i]
                gpus[p] += np.where(m, lease["gpus"], 0)
                paid[p] += np.where(m, lease["gpus"] * lease["pricePerGpuHour"], 0)
                owed[p] += np.where(m, lease["gpus"] * lease.get("penaltyPerGpuHour", 0), 0)
        free, draw_ = np.zeros((P, S)), np.zeros((P, S))
        for s in range(len(inst.sites)):
            left = np.full(S, inst.cap[s, t] * 1000)  # kW, as docs/scenarios.md counts it
            for p in np.flatnonzero(inst.site == s):
                delivered = np.minimum(np.minimum(gpus[p], np.maximum(0, available[p, t])), within_power(left, inst.kw[p]))
                share = np.where(gpus[p] > 0, delivered / np.where(gpus[p] > 0, gpus[p], 1), 1)
                total += hours * paid[p] * share - hours * owed[p] * (1 - share)
                free[p] = np.maximum(0, available[p, t] - delivered)
                draw_[p] = delivered
                left = left - delivered * inst.kw[p]
            for start, j, p in jobs:
                job = inst.jobs[j]
                last = min(job.get("deadline", T - 1), T - 1)
                if inst.site[p] != s or t < start or t > last:
                    continue
                ready = finished[j] < 0
                for a in job.get("after", []):
                    done = finished[inst.job_index[a]]
                    ready &= (done >= 0) & (done < t)
                run = ready & (free[p] >= job["gpus"]) & (within_power(left, inst.kw[p]) >= job["gpus"])
                free[p] -= np.where(run, job["gpus"], 0)
                draw_[p] += np.where(run, job["gpus"], 0)
                left = left - np.where(run, job["gpus"] * inst.kw[p], 0)
                progress[j] += run
                known = job.get("successKnownAfter")
                stop = (progress[j] == needs[j]) | ((~success[j]) & (known is not None) & (progress[j] == (known or 0)) & bool(inst.u.get("jobSuccess")))
                finished[j] = np.where(run & stop, t, finished[j])
            pools = np.flatnonzero(inst.site == s)
            if inst.sell > 0 and len(pools):
                margin = hours * price[t][None, :] - inst.power_cost[pools][:, None]
                value = np.where(inst.kw[pools][:, None] > 0, margin / inst.kw[pools][:, None], np.inf)
                value = np.where(margin > 0, value, -np.inf)
                order = np.argsort(-value, axis=0, kind="stable")
                for r in range(len(pools)):
                    p = pools[order[r]]
                    sells = value[order[r], np.arange(S)] > -np.inf
                    kw = inst.kw[p]
                    sell = np.where(sells, np.minimum(inst.sell * free[p, np.arange(S)], within_power(left, kw)), 0)
                    total += sell * hours * price[t]
                    draw_[p, np.arange(S)] += sell
                    left = left - sell * kw
            for p in np.flatnonzero(inst.site == s):
                total -= draw_[p] * inst.power_cost[p]
    for j, job in enumerate(inst.jobs):
        delay = finished[j] - (job.get("earliestStart", 0) + job["periods"] - 1)
        worth = np.maximum(0, job["value"] - job.get("decayPerPeriod", 0) * delay)
        gain = np.where(success[j], worth, 0) if inst.u.get("jobSuccess") else job.get("successProbability", 1) * worth
        total += np.where(finished[j] >= 0, gain, 0)
    return total


def main():
    args = argparse.ArgumentParser()
    args.add_argument("instance")
    args.add_argument("plan")
    args.add_argument("--scenarios", type=int, default=10000)
    args.add_argument("--seed", type=int, default=1)
    args.add_argument("--repeat", type=int, default=3)
    a = args.parse_args()
    inst = Instance(json.load(open(a.instance)))
    plan = json.load(open(a.plan))
    np.seterr(over="ignore")
    clock = time.perf_counter()
    draws = draw(inst, a.seed, a.scenarios)
    drawing = time.perf_counter() - clock
    best, totals = float("inf"), None
    for _ in range(a.repeat):
        clock = time.perf_counter()
        totals = score(inst, plan, draws)
        best = min(best, time.perf_counter() - clock)
    print(json.dumps({"scenarios": a.scenarios, "mean": float(totals.mean()), "drawSeconds": drawing, "scoringSeconds": best,
                      "pairsPerSecond": a.scenarios / best, "numpy": np.__version__}))


if __name__ == "__main__":
    main()
