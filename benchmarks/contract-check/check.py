#!/usr/bin/env python3
"""An independent check of the CLI against the contract (../shared/spec/instance-format.md), written apart from the C#.

It draws small instances of shapes the generator does not make (pools of 0 GPUs, retirements, deliveries past the
horizon, power caps per period down to 0, spot prices per period, offers paying less than their power, chains, milestones,
hours of 1 or 7.5 a period), finds each optimum by enumerating every plan with its own evaluator (spot as the contract's
fractional knapsack), and holds the CLI to it:

  plan      `allocator plan` (SCIP, HiGHS, CP-SAT in turn; 1 or 2 threads) against the enumerated optimum: a plan its own
            evaluator calls feasible, the reported objective equal to its recomputation, never above the optimum, equal
            to it when called optimal (SCIP and HiGHS must prove it), a bound never below it; no plan (exit 3) exactly
            when none exists.
  evaluate  random plans, feasible or not: `evaluate --json` agrees on feasibility and on the objective, and `score`
            with no uncertainty section gives the objective in every scenario (`--device cpu`; every fifth instance also
            `ilgpu-cpu`).
  loop      `simulate --policies static,exact` with no uncertainty and no late offers: the static plan makes the optimum,
            and exact re-planning at least the optimum (more where a later plan pauses a started job, which the closed
            loop allows and one plan's unbroken runs do not: closed-loop.md, "Commitments").
  stability `run-once --move-cost C` from a random feasible plan of last night: the plan it writes maximises the
            objective less C per GPU-period moved away from last night's pool and periods, as enumeration finds.
  commands  with an uncertainty section added: `compare` (eight policies), `simulate` and `plan --robust` finish with
            exit 0 or 3; each plan compare writes is feasible at the objective it reports and `score` of it gives
            compare's mean; the robust plan's risk.json equals `score` of it on the same scenarios.

  sweep     `allocator sweep` of three instances the generator makes (hard on even seeds): in every task, each policy's
            plan feasible at the objective the task's summary reports, exact's the enumerated optimum, and `score` of
            each plan on the task's scenarios equal to its mean.

The scenario rules (docs/scenarios.md) and the closed loop (closed-loop.md), written again from `allocator scenarios`'
exported draws, on the same instances with an uncertainty section of varied sources and strengths:

  draws     20,000 scenarios: each draw within its documented range (a delivery late by 1..maxPeriods, a share down in
            [0, max], an overrun in 1..ceil(maxFraction x periods), offers announced at 0 always made), the GPUs working
            equal to the deliveries arrived less the share down, and every frequency and mean within 5 standard errors of
            its documented value (slips and each lateness, the share down, overruns, each job's success, each late offer's
            arrival, the spot price's log steps and their spread); scenario k the same when drawn alone.
  recourse  four plans (random, and one crowding every job onto a pool) x 40 scenarios: `score --outcomes`' every
            pair (total and parts) and its mean, stdev, CVaR, P(any lease short), GPU-hours short and mean parts, on `cpu`
            (and `ilgpu-cpu` every fourth instance), equal to the recourse recomputed here from the draws; on odd seeds a
            pool of half the kW beside pool 0 and a power cap spot hits, where the spot order decides.
  replan    `simulate --policies static,exact,greedy --hindsight` with its shown scenario's epochs: each scenario's
            hindsight instance (closed-loop.md) as `scenarios --hindsight` writes it, and the clairvoyant value (each
            one's optimum enumerated); each epoch's residual instance valid
            (`allocator validate`) and
            as closed-loop.md builds it from what is known, each epoch's plan feasible for it at the objective it states
            (exact's the enumerated optimum), and the money made by each epoch and in all equal to the loop recomputed
            here (offers answered, leases started and missed, jobs paused, overruns revealed, outcomes known).

Usage: python3 benchmarks/contract-check/check.py MODE FIRST_SEED COUNT [--more] [--cli PATH] [--work DIR] [--devices LIST]
Prints one line per instance and `bad N` at the end; exits 1 if N > 0.
"""
import argparse
import csv
import datetime
import itertools
import json
import math
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CLI = os.path.join(HERE, "..", "..", "src", "Allocator.Cli", "bin", "Release", "net10.0", "linux-x64", "allocator")


# ---- drawing instances ------------------------------------------------------------------------------------------------

def draw(rng, name, more=False):
    T = rng.randint(2, 6)
    hours = rng.choice([1, 24, 168, 7.5])
    sites = []
    for s in range(rng.randint(1, 2)):
        site = {"id": f"s{s}"}
        r = rng.random()
        if r < 0.3:
            site["powerCapMw"] = round(rng.uniform(0.5, 4), 3)
        elif r < 0.55:
            site["powerCapMw"] = [round(rng.uniform(0.0, 4), 3) for _ in range(T)]
        if rng.random() < 0.8:
            site["powerCostPerMwh"] = rng.choice([0, 40, 60, 900, 2000])
        sites.append(site)
    pools = [draw_pool(rng, p, T, sites) for p in range(rng.randint(1, 3))]
    leases = [draw_lease(rng, l, T, pools) for l in range(rng.randint(0, 3))]
    jobs = []
    for j in range(rng.randint(0, 3)):
        jobs.append(draw_job(rng, j, T, pools, jobs))
    if more:
        grow(rng, leases, jobs)
    instance = {"name": name, "horizon": {"start": "2026-07-06", "periods": T, "periodHours": hours},
                "sites": sites, "pools": pools, "leases": leases, "jobs": jobs}
    r = rng.random()
    if r < 0.4:
        instance["spot"] = {"pricePerGpuHour": rng.choice([0.02, 0.5, 1.6]), "sellThrough": rng.choice([0, 0.5, 1])}
    elif r < 0.6:
        instance["spot"] = {"pricePerGpuHour": [rng.choice([0.01, 0.5, 1.6, 3]) for _ in range(T)], "sellThrough": rng.choice([0.3, 1])}
    return instance


def draw_pool(rng, p, T, sites):
    gpus = rng.choice([0, 500, 1000, 2000])
    pool = {"id": f"p{p}", "site": rng.choice(sites)["id"], "gpus": gpus, "kwPerGpu": rng.choice([0.7, 1.0, 1.4, 2.0])}
    if rng.random() < 0.5:
        deliveries = [{"period": rng.randint(0, T), "gpus": rng.choice([500, 1000, -500])} for _ in range(rng.randint(1, 2))]
        if all(gpus + sum(d["gpus"] for d in deliveries if d["period"] <= t) >= 0 for t in range(T + 1)):
            pool["deliveries"] = deliveries
    if rng.random() < 0.5:
        pool["gpuType"] = rng.choice(["H100", "B200"])
    return pool


def draw_lease(rng, l, T, pools):
    periods = rng.randint(1, T)
    earliest = rng.randint(0, T - periods)
    lease = {"id": f"l{l}", "gpus": rng.choice([200, 500, 1000, 1500]), "periods": periods, "earliestStart": earliest,
             "latestStart": rng.randint(earliest, T - periods), "pricePerGpuHour": rng.choice([0.5, 1.2, 2.1, 3.0])}
    if rng.random() < 0.3:
        lease["status"] = "signed"
    elif rng.random() < 0.5:
        lease["status"] = "offer"
    if rng.random() < 0.5:
        lease["pools"] = rng.sample([p["id"] for p in pools], rng.randint(1, len(pools)))
    if rng.random() < 0.3:
        lease["penaltyPerGpuHour"] = 2.0
    if lease.get("status") != "signed" and rng.random() < 0.2 and earliest > 0:
        lease["announcedAt"] = rng.randint(0, earliest)
    return lease


def draw_job(rng, j, T, pools, jobs):
    periods = rng.randint(1, T)
    job = {"id": f"j{j}", "gpus": rng.choice([300, 500, 1000, 2000]), "periods": periods, "value": rng.choice([1e5, 1e6, 5e6, 2e7])}
    if rng.random() < 0.6:
        job["earliestStart"] = rng.randint(0, T - periods)
    earliest = job.get("earliestStart", 0)
    if rng.random() < 0.5:
        job["deadline"] = rng.randint(earliest + periods - 1, T - 1)
    if rng.random() < 0.5:
        job["decayPerPeriod"] = rng.choice([0, 1e5, 3e6])
    if rng.random() < 0.5:
        job["successProbability"] = rng.choice([0, 0.3, 0.9, 1])
    if rng.random() < 0.15:
        job["required"] = True
    if rng.random() < 0.5:
        job["pools"] = rng.sample([p["id"] for p in pools], rng.randint(1, len(pools)))
    if jobs and rng.random() < 0.4:
        job["after"] = rng.sample([x["id"] for x in jobs], rng.randint(1, len(jobs)))
    if rng.random() < 0.2:
        job["successKnownAfter"] = rng.randint(1, periods)
    return job


def grow(rng, leases, jobs):
    """Copies of leases and jobs of other sizes: more items, for the planner's engines and the closed loop."""
    for _ in range(rng.randint(0, 3)):
        if leases:
            lease = dict(rng.choice(leases), id=f"l{len(leases)}", gpus=rng.choice([100, 300, 700]))
            if rng.random() < 0.3:
                lease["status"] = "signed"
                lease.pop("announcedAt", None)
            leases.append(lease)
    for _ in range(rng.randint(0, 2)):
        if jobs:
            job = dict(rng.choice(jobs), id=f"j{len(jobs)}", gpus=rng.choice([100, 400]))
            job["after"] = [rng.choice(jobs)["id"]] if rng.random() < 0.5 else list(job.get("after", []))
            if not job["after"]:
                job.pop("after")
            jobs.append(job)


# ---- the contract, written again -------------------------------------------------------------------------------------

def capacity(pool, t):
    return pool["gpus"] + sum(d["gpus"] for d in pool.get("deliveries", []) if d["period"] <= t)


def choices(instance, item, is_job):
    """None (not placed) and every (pool, start) the item's pools and window allow."""
    T = instance["horizon"]["periods"]
    pools = item.get("pools", [p["id"] for p in instance["pools"]])
    if is_job:
        starts = range(item.get("earliestStart", 0), min(item.get("deadline", T - 1), T - 1) - item["periods"] + 2)
    else:
        starts = range(item["earliestStart"], item["latestStart"] + 1)
    return [None] + [(p, s) for p in pools for s in starts]


def objective(instance, lease_choice, job_choice):
    """The deterministic objective of a plan, or None when the plan is infeasible."""
    T, hours = instance["horizon"]["periods"], instance["horizon"]["periodHours"]
    pools = {p["id"]: p for p in instance["pools"]}
    used = {(p, t): 0 for p in pools for t in range(T)}
    for lease, c in zip(instance["leases"], lease_choice):
        if c is None:
            if lease.get("status") == "signed":
                return None
            continue
        for t in range(c[1], c[1] + lease["periods"]):
            used[(c[0], t)] += lease["gpus"]
    by_id = {j["id"]: (j, c) for j, c in zip(instance["jobs"], job_choice)}
    for job, c in zip(instance["jobs"], job_choice):
        if c is None:
            if job.get("required"):
                return None
            continue
        for a in job.get("after", []):
            before, bc = by_id[a]
            if bc is None or c[1] < bc[1] + before["periods"]:
                return None
        for t in range(c[1], c[1] + job["periods"]):
            used[(c[0], t)] += job["gpus"]
    if any(u > capacity(pools[p], t) for (p, t), u in used.items()):
        return None
    value = sum(l["gpus"] * l["periods"] * hours * l["pricePerGpuHour"] for l, c in zip(instance["leases"], lease_choice) if c)
    value += sum(j.get("successProbability", 1) * max(0, j["value"] - j.get("decayPerPeriod", 0) * (c[1] - j.get("earliestStart", 0)))
                 for j, c in zip(instance["jobs"], job_choice) if c)
    for site in instance["sites"]:
        site_value = site_money(instance, site, used, pools)
        if site_value is None:
            return None
        value += site_value
    return value


def site_money(instance, site, used, pools):
    """Spot revenue less the power cost of one site over the horizon; None when a period's draw exceeds its cap."""
    T, hours = instance["horizon"]["periods"], instance["horizon"]["periodHours"]
    cost, spot, money = site.get("powerCostPerMwh", 0), instance.get("spot"), 0.0
    here = [p for p in instance["pools"] if p["site"] == site["id"]]
    for t in range(T):
        cap = site.get("powerCapMw", math.inf)
        cap = cap[t] if isinstance(cap, list) else cap
        draw_mw = sum(used[(p["id"], t)] * p["kwPerGpu"] / 1000 for p in here)
        if draw_mw > cap * (1 + 1e-12) + 1e-12:
            return None
        money -= draw_mw * hours * cost
        if spot:
            price = spot["pricePerGpuHour"]
            price = price[t] if isinstance(price, list) else price
            # The fractional knapsack: best margin per MW first, within sell-through and the power left.
            items = []
            for p in here:
                margin, mw = hours * (price - p["kwPerGpu"] / 1000 * cost), p["kwPerGpu"] / 1000
                if margin > 0:
                    items.append((margin / mw, margin, spot["sellThrough"] * (capacity(p, t) - used[(p["id"], t)]), mw))
            room = cap - draw_mw
            for _, margin, most, mw in sorted(items, key=lambda x: -x[0]):
                sold = max(0, min(most, room / mw))
                money += sold * margin
                room -= sold * mw
    return money


def optimum(instance):
    best, best_plan = None, None
    for lc in itertools.product(*[choices(instance, l, False) for l in instance["leases"]]):
        for jc in itertools.product(*[choices(instance, j, True) for j in instance["jobs"]]):
            v = objective(instance, lc, jc)
            if v is not None and (best is None or v > best + 1e-9):
                best, best_plan = v, (lc, jc)
    return best, best_plan


def plan_size(instance):
    n = 1
    for l in instance["leases"]:
        n *= len(choices(instance, l, False))
    for j in instance["jobs"]:
        n *= len(choices(instance, j, True))
    return n


def plan_file(instance, lease_choice, job_choice):
    def decision(item, c, word):
        return {"id": item["id"], word: c is not None, **({"pool": c[0], "start": c[1]} if c else {})}
    return {"instance": instance["name"],
            "leases": [decision(l, c, "accepted") for l, c in zip(instance["leases"], lease_choice)],
            "jobs": [decision(j, c, "scheduled") for j, c in zip(instance["jobs"], job_choice)]}


def compared_plan(folder, instance, policy):
    """Where compare (or a sweep's task) writes a policy's plan: plans/INSTANCE/POLICY.json, a ':' in the name as '_'."""
    return os.path.join(folder, "plans", instance["name"], "".join(c if c.isalnum() or c in ".-_" else "_" for c in policy) + ".json")


def read_plan(path):
    plan = json.load(open(path))
    return ([(x["pool"], x["start"]) if x["accepted"] else None for x in plan["leases"]],
            [(x["pool"], x["start"]) if x["scheduled"] else None for x in plan["jobs"]], plan)


# ---- scenarios, written again (docs/scenarios.md) --------------------------------------------------------------------

def draw_uncertainty(rng):
    """An uncertainty section with each source on or off and of varied strength."""
    u = {}
    if rng.random() < 0.7:
        u["deliverySlip"] = {"probability": rng.choice([0.2, 0.5, 1]), "maxPeriods": rng.randint(1, 3)}
    if rng.random() < 0.7:
        mean = rng.choice([0.02, 0.05, 0.1])
        u["outage"] = {"mean": mean, "max": rng.choice([mean, 2 * mean, 0.3, 0.9])}
    if rng.random() < 0.7:
        u["jobOverrun"] = {"probability": rng.choice([0.2, 0.5, 1]), "maxFraction": rng.choice([0.1, 0.5, 1])}
    if rng.random() < 0.7:
        u["jobSuccess"] = True
    if rng.random() < 0.7:
        u["spotVolatility"] = rng.choice([0.05, 0.2, 0.6])
    if rng.random() < 0.7:
        u["offerArrival"] = {"probability": rng.choice([0, 0.3, 0.8])}
    return u


def price_at(instance, t):
    price = instance["spot"]["pricePerGpuHour"]
    return price[t] if isinstance(price, list) else price


def cap_kw(site, t):
    cap = site.get("powerCapMw")
    if cap is None:
        return math.inf
    return (cap[t] if isinstance(cap, list) else cap) * 1000


def within_power(left_kw, kw):
    """GPUs of kw kW a site's remaining power runs: infinite without a cap or a draw."""
    return math.inf if left_kw == math.inf or kw <= 0 else max(0.0, left_kw) / kw


class Recourse:
    """One scenario run period by period by docs/scenarios.md's rules, the plan given anew each period (the closed loop
    changes it between epochs), from the scenario's draws d (an entry of scenarios.json's draws)."""

    def __init__(self, instance, d):
        self.instance, self.d = instance, d
        jobs = instance["jobs"]
        self.outcomes_drawn = instance.get("uncertainty", {}).get("jobSuccess", False)
        self.needs = [j["periods"] + d["overrunPeriods"][i] for i, j in enumerate(jobs)]
        self.succeeds = d.get("jobSucceeds", []) if self.outcomes_drawn else [True] * len(jobs)
        self.progress, self.finished = [0] * len(jobs), [-1] * len(jobs)
        self.money = {"lease": 0.0, "penalty": 0.0, "spot": 0.0, "power": 0.0, "short": 0.0}

    def period(self, t, lease_choice, job_choice):
        instance, d, money = self.instance, self.d, self.money
        hours = instance["horizon"]["periodHours"]
        pools, leases, jobs = instance["pools"], instance["leases"], instance["jobs"]
        pool_at = {p["id"]: i for i, p in enumerate(pools)}
        job_at = {j["id"]: i for i, j in enumerate(jobs)}
        spot = instance.get("spot")
        order = sorted([i for i, c in enumerate(job_choice) if c is not None], key=lambda i: (job_choice[i][1], i))
        for site in instance["sites"]:
            cost = site.get("powerCostPerMwh", 0)
            left = cap_kw(site, t)
            here = [i for i, p in enumerate(pools) if p["site"] == site["id"]]
            free, drawn = {}, {}
            for i in here:  # leases first, pools in order
                kw, avail = pools[i]["kwPerGpu"], d["availableGpus"][i][t]
                mine = [l for l, c in enumerate(lease_choice)
                        if c is not None and pool_at[c[0]] == i and c[1] <= t < c[1] + leases[l]["periods"] and d["offerMade"][l]]
                leased = sum(leases[l]["gpus"] for l in mine)
                delivered = min(leased, max(0.0, avail), within_power(left, kw))
                share = delivered / leased if leased > 0 else 1.0
                money["lease"] += hours * sum(leases[l]["gpus"] * leases[l]["pricePerGpuHour"] for l in mine) * share
                money["penalty"] += hours * sum(leases[l]["gpus"] * leases[l].get("penaltyPerGpuHour", 0) for l in mine) * (1 - share)
                money["short"] += hours * (leased - delivered)
                free[i], drawn[i] = max(0.0, avail - delivered), delivered
                left -= delivered * kw
            for j in order:  # then jobs, in the order the plan starts them
                job, (pool_id, start) = jobs[j], job_choice[j]
                i = pool_at[pool_id]
                last = min(job.get("deadline", instance["horizon"]["periods"] - 1), instance["horizon"]["periods"] - 1)
                if i not in free or self.finished[j] >= 0 or t < start or t > last:
                    continue
                if any(self.finished[job_at[a]] < 0 or self.finished[job_at[a]] >= t for a in job.get("after", [])):
                    continue
                kw = pools[i]["kwPerGpu"]
                if free[i] >= job["gpus"] and within_power(left, kw) >= job["gpus"]:
                    free[i] -= job["gpus"]
                    drawn[i] += job["gpus"]
                    left -= job["gpus"] * kw
                    self.progress[j] += 1
                    known = job.get("successKnownAfter", 0)
                    if self.progress[j] == self.needs[j] or (self.outcomes_drawn and not self.succeeds[j] and known > 0 and self.progress[j] == known):
                        self.finished[j] = t
            if spot and spot["sellThrough"] > 0:  # spot last: best margin per MW first
                price = d["spotPrice"][t]
                margins = {i: hours * price - pools[i]["kwPerGpu"] / 1000 * hours * cost for i in here}
                ranked = sorted([i for i in here if margins[i] > 0],
                                key=lambda i: (-(margins[i] / pools[i]["kwPerGpu"]) if pools[i]["kwPerGpu"] > 0 else -math.inf, i))
                for i in ranked:
                    kw = pools[i]["kwPerGpu"]
                    sell = min(spot["sellThrough"] * free[i], within_power(left, kw))
                    money["spot"] += sell * hours * price
                    drawn[i] += sell
                    left -= sell * kw
            for i in here:
                money["power"] += drawn[i] * pools[i]["kwPerGpu"] / 1000 * hours * cost

    def miss(self, l):
        """A commitment no plan placed before its window closed: short in full (docs/scenarios.md)."""
        lease = self.instance["leases"][l]
        if self.d["offerMade"][l]:
            gpu_hours = lease["gpus"] * lease["periods"] * self.instance["horizon"]["periodHours"]
            self.money["penalty"] += gpu_hours * lease.get("penaltyPerGpuHour", 0)
            self.money["short"] += gpu_hours

    def outcome(self):
        value = 0.0
        for j, job in enumerate(self.instance["jobs"]):
            if self.finished[j] < 0:
                continue
            delay = self.finished[j] - (job.get("earliestStart", 0) + job["periods"] - 1)
            worth = max(0.0, job["value"] - job.get("decayPerPeriod", 0) * delay)
            value += (worth if self.succeeds[j] else 0.0) if self.outcomes_drawn else job.get("successProbability", 1) * worth
        m = dict(self.money, jobs=value)
        m["total"] = m["lease"] - m["penalty"] + value + m["spot"] - m["power"]
        return m


def recourse(instance, lease_choice, job_choice, d):
    """What a fixed plan makes in one scenario."""
    run = Recourse(instance, d)
    for t in range(instance["horizon"]["periods"]):
        run.period(t, lease_choice, job_choice)
    return run.outcome()


# ---- the closed loop, written again (closed-loop.md) -------------------------------------------------------------------

class Loop:
    """What is known at each epoch of one scenario, and the residual instance of it (closed-loop.md)."""

    def __init__(self, instance, d):
        self.instance, self.d = instance, d
        self.run = Recourse(instance, d)
        self.stage = ["accepted" if l.get("status") == "signed" else "open" if l.get("announcedAt", 0) == 0 else "unannounced"
                      for l in instance["leases"]]
        self.started_at = [None] * len(instance["leases"])
        self.ran_on = [None] * len(instance["jobs"])
        self.leases = [None] * len(instance["leases"])  # the plan in force, in the instance's terms
        self.jobs = [None] * len(instance["jobs"])

    def observe(self, t):
        """Offers announced by t are open (made) or gone; open ones whose window passed are declined; commitments whose
        window passed unplaced are missed."""
        for l, lease in enumerate(self.instance["leases"]):
            if self.stage[l] == "unannounced" and lease.get("announcedAt", 0) <= t:
                self.stage[l] = "open" if self.d["offerMade"][l] else "not made"
            elif self.stage[l] == "open" and lease["latestStart"] < t:
                self.stage[l] = "declined"
            if self.stage[l] == "accepted" and lease["latestStart"] < t:
                self.stage[l] = "missed"
                self.run.miss(l)

    def job_state(self, j):
        job, run = self.instance["jobs"][j], self.run
        ran, done = run.progress[j], run.finished[j] >= 0
        known_after = job.get("successKnownAfter", 0)
        known = run.outcomes_drawn and (done or (known_after > 0 and ran >= known_after))
        overrun = run.needs[j] - job["periods"] if not done and ran >= job["periods"] else 0
        return {"ran": ran, "finished": done and (not known or run.succeeds[j]), "success": run.succeeds[j] if known else None, "overrun": overrun}

    def residual(self, t):
        inst, d = self.instance, self.d
        T, hours = inst["horizon"]["periods"], inst["horizon"]["periodHours"]
        R = T - t
        start = datetime.date.fromisoformat(inst["horizon"]["start"]) + datetime.timedelta(hours=t * hours)
        out = {"name": inst["name"], "horizon": {"start": start.isoformat()[:10], "periods": R, "periodHours": hours}}
        out["sites"] = [dict(site, **({"powerCapMw": site["powerCapMw"][t:]} if isinstance(site.get("powerCapMw"), list) else {})) for site in inst["sites"]]
        deliveries = [(i, dl) for i, pool in enumerate(inst["pools"]) for dl in pool.get("deliveries", [])]
        out["pools"] = []
        for i, pool in enumerate(inst["pools"]):
            base = pool["gpus"] + sum(dl["gpus"] for x, (pi, dl) in enumerate(deliveries) if pi == i and d["deliveryArrival"][x] <= t)
            coming = [(dl["period"] - t if dl["period"] > t else 1, dl["gpus"]) for x, (pi, dl) in enumerate(deliveries)
                      if pi == i and d["deliveryArrival"][x] > t]
            out["pools"].append(with_capacity(pool, [max(0, base + sum(g for at, g in coming if at <= u)) for u in range(R)]))
        out["leases"] = []
        for l, lease in enumerate(inst["leases"]):
            new = {k: v for k, v in lease.items() if k != "announcedAt"}
            if self.stage[l] == "started":
                pool, begun = self.started_at[l]
                if begun + lease["periods"] <= t:
                    continue
                new.update(status="signed", pools=[pool], earliestStart=0, latestStart=0, periods=begun + lease["periods"] - t)
            elif self.stage[l] in ("accepted", "open") and lease["latestStart"] - t >= 0:
                new.update(status="signed" if self.stage[l] == "accepted" else "offer",
                           earliestStart=max(0, lease["earliestStart"] - t), latestStart=lease["latestStart"] - t)
            else:
                continue
            out["leases"].append(new)
        out["jobs"] = self.residual_jobs(t, R)
        if "spot" in inst:
            m = 1.0 if t == 0 else d["spotPrice"][t - 1] / price_at(inst, t - 1) if price_at(inst, t - 1) > 0 else None
            out["spot"] = dict(inst["spot"], pricePerGpuHour=[price_at(inst, u) * m for u in range(t, T)] if m is not None else None)
        if "uncertainty" in inst:
            out["uncertainty"] = inst["uncertainty"]
        return out

    def residual_jobs(self, t, R):
        inst = self.instance
        T = inst["horizon"]["periods"]
        states = [self.job_state(j) for j in range(len(inst["jobs"]))]
        gone, late, kept = set(), set(), {}
        for j, job in enumerate(inst["jobs"]):
            st = states[j]
            if st["finished"] or st["success"] is False:
                gone.add(job["id"])
                continue
            P, e, q, o = job["periods"], job.get("earliestStart", 0), st["ran"], st["overrun"]
            r = P + o - q
            e2 = 0 if q > 0 else max(0, e - t)
            deadline = min(job.get("deadline", T - 1), T - 1) - t
            if e2 + r - 1 > deadline or any(a in late for a in job.get("after", [])):
                late.add(job["id"])
                continue
            new = dict(job, earliestStart=e2, deadline=deadline, periods=r,
                       value=max(0.0, job["value"] - job.get("decayPerPeriod", 0) * (t + e2 + r - e - P)))
            if st["success"] is True:
                new["successProbability"] = 1
            new.pop("successKnownAfter", None)
            if job.get("successKnownAfter", 0) - q >= 1:
                new["successKnownAfter"] = job["successKnownAfter"] - q
            if q > 0:
                new["pools"] = [self.ran_on[j]]
            kept[j] = new
        result = []
        for j, new in kept.items():
            if any(a in late for a in inst["jobs"][j].get("after", [])):
                continue
            new["after"] = [a for a in new.get("after", []) if a not in gone]
            result.append(new)
        return result

    def lift(self, t, plan):
        """The residual plan in the instance's terms: starts moved on by t; started leases and finished jobs keep theirs."""
        leases = {x["id"]: x for x in plan["leases"]}
        jobs = {x["id"]: x for x in plan["jobs"]}
        for l, lease in enumerate(self.instance["leases"]):
            if self.stage[l] == "started":
                self.leases[l] = self.started_at[l]
            else:
                x = leases.get(lease["id"])
                self.leases[l] = (x["pool"], t + x["start"]) if x and x["accepted"] else None
        for j, job in enumerate(self.instance["jobs"]):
            if self.run.finished[j] >= 0 and self.job_state(j)["finished"]:
                continue
            x = jobs.get(job["id"])
            self.jobs[j] = (x["pool"], t + x["start"]) if x and x["scheduled"] else None

    def answer(self):
        for l in range(len(self.instance["leases"])):
            if self.stage[l] == "open":
                self.stage[l] = "accepted" if self.leases[l] is not None else "declined"

    def run_period(self, u):
        before = list(self.run.progress)
        self.run.period(u, self.leases, self.jobs)
        for l in range(len(self.instance["leases"])):
            if self.stage[l] == "accepted" and self.leases[l] is not None and self.leases[l][1] == u:
                self.stage[l], self.started_at[l] = "started", self.leases[l]
        for j in range(len(self.instance["jobs"])):
            if self.run.progress[j] > before[j]:
                self.ran_on[j] = self.jobs[j][0]


def with_capacity(pool, c):
    """The pool with capacity c[t] in each period: c[0] GPUs, and a delivery of the difference wherever it changes."""
    new = {k: v for k, v in pool.items() if k != "deliveries"}
    new["gpus"] = c[0]
    moves = [{"period": t, "gpus": c[t] - c[t - 1]} for t in range(1, len(c)) if c[t] != c[t - 1]]
    if moves:
        new["deliveries"] = moves
    return new


def hindsight(instance, d):
    """closed-loop.md's hindsight instance of a scenario, and the constant its clairvoyant value is less: the signed
    leases' penalty over their whole length."""
    T = instance["horizon"]["periods"]
    u = instance.get("uncertainty", {})
    deliveries = [(i, dl) for i, pool in enumerate(instance["pools"]) for dl in pool.get("deliveries", [])]
    pools = []
    for i, pool in enumerate(instance["pools"]):
        c = []
        for t in range(T):
            b = pool["gpus"] + sum(dl["gpus"] for x, (pi, dl) in enumerate(deliveries) if pi == i and d["deliveryArrival"][x] <= t)
            c.append(max(0, math.floor(b * (1 - d["outageShare"][i][t]))))
        pools.append(with_capacity(pool, c))
    leases, constant = [], 0.0
    for l, lease in enumerate(instance["leases"]):
        if not d["offerMade"][l]:
            continue
        new = {k: v for k, v in lease.items() if k != "announcedAt"}
        if lease.get("status") == "signed":
            new.update(status="offer", pricePerGpuHour=lease["pricePerGpuHour"] + lease.get("penaltyPerGpuHour", 0))
            constant += lease["gpus"] * lease["periods"] * instance["horizon"]["periodHours"] * lease.get("penaltyPerGpuHour", 0)
        leases.append(new)
    failed = {job["id"] for j, job in enumerate(instance["jobs"]) if u.get("jobSuccess") and not d["jobSucceeds"][j]}
    late, jobs = set(), []
    for j, job in enumerate(instance["jobs"]):
        if job["id"] in failed:
            continue
        periods = job["periods"] + d["overrunPeriods"][j]
        last = min(job.get("deadline", T - 1), T - 1)
        if job.get("earliestStart", 0) + periods - 1 > last or any(a in late for a in job.get("after", [])):
            late.add(job["id"])
            continue
        new = {k: v for k, v in job.items() if k not in ("required", "successKnownAfter")}
        new.update(periods=periods, value=max(0.0, job["value"] - job.get("decayPerPeriod", 0) * d["overrunPeriods"][j]),
                   after=[a for a in job.get("after", []) if a not in failed])
        if u.get("jobSuccess"):
            new["successProbability"] = 1
        jobs.append(new)
    out = dict(instance, pools=pools, leases=leases, jobs=jobs)
    out.pop("uncertainty", None)
    if "spot" in instance:
        out["spot"] = dict(instance["spot"], pricePerGpuHour=list(d["spotPrice"]))
    return out, constant


def canonical(inst):
    """An instance with every default written and every per-period field as a list, to compare two writings of it."""
    T = inst["horizon"]["periods"]
    every = sorted(p["id"] for p in inst["pools"])

    def series(x):
        return None if x is None else [x[t] if isinstance(x, list) else x for t in range(T)]
    return {
        "horizon": [T, inst["horizon"]["periodHours"], inst["horizon"]["start"]],
        "sites": [[s["id"], series(s.get("powerCapMw")), s.get("powerCostPerMwh", 0)] for s in inst["sites"]],
        "pools": [[p["id"], p["site"], p["kwPerGpu"], p.get("gpuType"), [max(0, capacity(p, t)) for t in range(T)]] for p in inst["pools"]],
        "leases": [[l["id"], l.get("status", "offer"), l["gpus"], l["periods"], l["earliestStart"], l["latestStart"], sorted(l.get("pools") or every),
                    l["pricePerGpuHour"], l.get("penaltyPerGpuHour", 0), l.get("announcedAt", 0)] for l in inst["leases"]],
        "jobs": [[j["id"], j["gpus"], j["periods"], j.get("earliestStart", 0), min(j.get("deadline", T - 1), T - 1), j["value"],
                  j.get("decayPerPeriod", 0), j.get("successProbability", 1), j.get("successKnownAfter", 0), sorted(j.get("after", [])),
                  sorted(j.get("pools") or every), j.get("required", False)] for j in inst["jobs"]],
        "spot": [series(inst["spot"]["pricePerGpuHour"]), inst["spot"]["sellThrough"]] if inst.get("spot") else None,
        "uncertainty": inst.get("uncertainty"),
    }


def differences(a, b, path="$"):
    """Where two canonical instances differ (numbers to 1e-9 relative; None on one side matches anything: a value the check cannot know)."""
    if a is None or b is None:
        return []
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return [] if abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b)) else [f"{path}: {a} against {b}"]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items against {len(b)}"]
        return [x for i, (p, q) in enumerate(zip(a, b)) for x in differences(p, q, f"{path}[{i}]")]
    if isinstance(a, dict) and isinstance(b, dict):
        return [x for k in sorted(set(a) | set(b)) for x in differences(a.get(k), b.get(k), f"{path}.{k}")]
    return [] if a == b else [f"{path}: {a!r} against {b!r}"]


def risk(outcomes, alpha):
    """docs/scenarios.md, "Statistics per plan"."""
    totals = [o["total"] for o in outcomes]
    n = len(totals)
    mean = sum(totals) / n
    stdev = math.sqrt(sum((x - mean) ** 2 for x in totals) / (n - 1)) if n > 1 else 0.0
    worst = sorted(totals)[:max(1, math.ceil(alpha * n - 1e-9))]
    return {"mean": mean, "standardDeviation": stdev, "cVaR": sum(worst) / len(worst),
            "probabilityAnyLeaseShort": sum(1 for o in outcomes if o["short"] > 0) / n,
            "expectedShortGpuHours": sum(o["short"] for o in outcomes) / n,
            "meanLeaseRevenue": sum(o["lease"] for o in outcomes) / n, "meanPenalty": sum(o["penalty"] for o in outcomes) / n,
            "meanJobValue": sum(o["jobs"] for o in outcomes) / n, "meanSpotRevenue": sum(o["spot"] for o in outcomes) / n,
            "meanPowerCost": sum(o["power"] for o in outcomes) / n}


def draw_problems(instance, draws):
    """What in exported draws breaks docs/scenarios.md's distributions, one scenario at a time (the statistics apart)."""
    T, u = instance["horizon"]["periods"], instance.get("uncertainty", {})
    problems = []
    deliveries = [(i, dl) for i, p in enumerate(instance["pools"]) for dl in p.get("deliveries", [])]
    slip, outage = u.get("deliverySlip"), u.get("outage")
    for d in draws["draws"]:
        k = d["scenario"]
        for (i, dl), arrival in zip(deliveries, d["deliveryArrival"]):
            late = arrival - dl["period"]
            if late != 0 and not (slip and 1 <= late <= slip["maxPeriods"]):
                problems.append(f"scenario {k}: a delivery {late} periods late")
        for i, pool in enumerate(instance["pools"]):
            for t in range(T):
                share = d["outageShare"][i][t]
                top = outage["max"] if outage and outage["mean"] > 0 else 0
                if not 0 <= share <= top:
                    problems.append(f"scenario {k}: pool {i} period {t} share down {share}")
                arrived = pool["gpus"] + sum(dl["gpus"] for (pi, dl), a in zip(deliveries, d["deliveryArrival"]) if pi == i and a <= t)
                if abs(d["availableGpus"][i][t] - arrived * (1 - share)) > 1e-9 * max(1, abs(arrived)):
                    problems.append(f"scenario {k}: pool {i} period {t} working {d['availableGpus'][i][t]}, not {arrived} x (1 - {share})")
        overrun = u.get("jobOverrun")
        for job, extra in zip(instance["jobs"], d["overrunPeriods"]):
            most = math.ceil(overrun["maxFraction"] * job["periods"]) if overrun else 0
            if extra != 0 and not 1 <= extra <= most:
                problems.append(f"scenario {k}: job {job['id']} overruns {extra} (at most {most})")
        for lease, made in zip(instance["leases"], d["offerMade"]):
            if not made and (lease.get("announcedAt", 0) == 0 or lease.get("status") == "signed"):
                problems.append(f"scenario {k}: lease {lease['id']} not made, though announced at 0 or signed")
        if instance.get("spot") and any(d["spotPrice"][t] <= 0 < price_at(instance, t) for t in range(T)):
            problems.append(f"scenario {k}: a spot price not above 0")
        if "spotVolatility" not in u and instance.get("spot") and any(d["spotPrice"][t] != price_at(instance, t) for t in range(T)):
            problems.append(f"scenario {k}: spot price moves without volatility")
    return problems


def share_off(name, hits, n, p):
    """A frequency more than 5 standard deviations from its probability, or None (the seeds are fixed: a pass stays a pass)."""
    if n == 0:
        return None
    sd = math.sqrt(max(p * (1 - p), 1e-12) / n)
    return f"{name}: {hits}/{n} = {hits / n:.4f}, expected {p}" if abs(hits / n - p) > 5 * sd + 1e-12 else None


def mean_off(name, values, mean, variance):
    if not values:
        return None
    got = sum(values) / len(values)
    sd = math.sqrt(max(variance, 1e-18) / len(values))
    return f"{name}: mean {got:.5f}, expected {mean:.5f} (sd {sd:.5f})" if abs(got - mean) > 5 * sd else None


def statistics_problems(instance, draws):
    """Frequencies and means over many scenarios against the documented distributions."""
    T, u, all_draws = instance["horizon"]["periods"], instance.get("uncertainty", {}), draws["draws"]
    found = []
    deliveries = [dl for p in instance["pools"] for dl in p.get("deliveries", [])]
    if "deliverySlip" in u and deliveries:
        slip = u["deliverySlip"]
        lates = [d["deliveryArrival"][x] - dl["period"] for d in all_draws for x, dl in enumerate(deliveries)]
        found.append(share_off("deliveries late", sum(1 for v in lates if v > 0), len(lates), slip["probability"]))
        for v in range(1, slip["maxPeriods"] + 1):
            found.append(share_off(f"deliveries {v} late", sum(1 for x in lates if x == v), len(lates), slip["probability"] / slip["maxPeriods"]))
    if "outage" in u and u["outage"]["mean"] > 0:
        top, mean = u["outage"]["max"], u["outage"]["mean"]
        a = top / mean - 1
        shares = [s for d in all_draws for row in d["outageShare"] for s in row]
        found.append(mean_off("share down", shares, mean, top * top / (2 * a + 1) - mean * mean))
    if "jobOverrun" in u:
        o = u["jobOverrun"]
        for j, job in enumerate(instance["jobs"]):
            found.append(share_off(f"job {job['id']} overruns", sum(1 for d in all_draws if d["overrunPeriods"][j] > 0), len(all_draws), o["probability"]))
    if u.get("jobSuccess"):
        for j, job in enumerate(instance["jobs"]):
            found.append(share_off(f"job {job['id']} succeeds", sum(1 for d in all_draws if d["jobSucceeds"][j]), len(all_draws), job.get("successProbability", 1)))
    if "offerArrival" in u:
        for l, lease in enumerate(instance["leases"]):
            if lease.get("announcedAt", 0) > 0:
                found.append(share_off(f"offer {lease['id']} made", sum(1 for d in all_draws if d["offerMade"][l]), len(all_draws), u["offerArrival"]["probability"]))
    sigma = u.get("spotVolatility", 0)
    if sigma > 0 and instance.get("spot") and all(price_at(instance, t) > 0 for t in range(T)):
        steps, multipliers = [], []
        for d in all_draws:
            log_m = [math.log(d["spotPrice"][t] / price_at(instance, t)) for t in range(T)]
            steps += [log_m[0]] + [log_m[t] - log_m[t - 1] for t in range(1, T)]
            multipliers.append(math.exp(log_m[-1]))
        found.append(mean_off("log step", steps, -sigma * sigma / 2, sigma * sigma))
        m = sum(steps) / len(steps)
        found.append(mean_off("log step's square deviation", [(x - m) ** 2 for x in steps], sigma * sigma, 2 * sigma ** 4))
        found.append(mean_off("last multiplier", multipliers, 1.0, math.exp(sigma * sigma * T) - 1))
    return [f for f in found if f]


# ---- the modes -------------------------------------------------------------------------------------------------------

class Check:
    def __init__(self, cli, work, more=False, devices=None):
        self.cli, self.work, self.bad, self.more, self.devices = cli, work, 0, more, devices

    def run(self, *args, timeout=600):
        return subprocess.run([self.cli, *args], capture_output=True, text=True, timeout=timeout)

    def case(self, seed, prefix, more=False):
        instance = draw(random.Random(seed), f"check{seed}", more or self.more)
        folder = os.path.join(self.work, f"{prefix}{seed}")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "instance.json")
        with open(path, "w") as f:
            json.dump(instance, f, indent=1)
        valid = self.run("validate", path).returncode == 0
        return instance, folder, path, valid

    def fail(self, seed, text):
        self.bad += 1
        print(seed, "BAD", text, flush=True)

    def plan(self, seed):
        instance, folder, path, valid = self.case(seed, "plan-", more=True)
        if not valid or plan_size(instance) > 300_000:
            return
        best, _ = optimum(instance)
        engine = [["--solver", "scip", "--threads", "1"], ["--solver", "highs"], ["--solver", "cpsat", "--threads", "2"], ["--solver", "scip", "--threads", "2"]][seed % 4]
        r = self.run("plan", path, "--out", os.path.join(folder, "out"), "--time-limit", "20", "--quiet", *engine)
        if best is None:
            if r.returncode != 3:
                return self.fail(seed, f"no plan exists, yet plan exit {r.returncode}: {r.stderr[-300:]}")
            return print(seed, "no plan exists: exit 3", flush=True)
        if r.returncode != 0:
            return self.fail(seed, f"plan exit {r.returncode}: {r.stderr[-300:]}")
        lc, jc, plan = read_plan(os.path.join(folder, "out", "plan.json"))
        mine, tol = objective(instance, lc, jc), 1e-6 * max(1, abs(best))
        problems = []
        if mine is None:
            problems.append("infeasible plan")
        elif abs(mine - plan["objective"]) > tol:
            problems.append(f"reported {plan['objective']} but recomputed {mine}")
        if plan["objective"] > best + tol:
            problems.append("above the optimum")
        if (plan["status"] == "optimal" or engine[1] != "cpsat") and abs(plan["objective"] - best) > tol:
            problems.append(f"{plan['status']} at {plan['objective']}, optimum {best}")
        if plan.get("bound") is not None and plan["bound"] < best - tol:
            problems.append(f"bound {plan['bound']} below the optimum")
        if problems:
            return self.fail(seed, f"{engine[1]}: {'; '.join(problems)}")
        print(seed, engine[1], "optimum", round(best, 2), plan["status"], flush=True)

    def evaluate(self, seed):
        instance, folder, path, valid = self.case(seed, "evaluate-")
        if not valid:
            return
        rng = random.Random(seed * 7 + 1)
        feasible = 0
        for k in range(6):
            lc = [rng.choice(choices(instance, l, False)) for l in instance["leases"]]
            jc = [rng.choice(choices(instance, j, True)) for j in instance["jobs"]]
            mine = objective(instance, lc, jc)
            plan = os.path.join(folder, f"plan{k}.json")
            with open(plan, "w") as f:
                json.dump(plan_file(instance, lc, jc), f)
            e = json.loads(self.run("evaluate", path, plan, "--json").stdout)
            if (mine is not None) != e["feasible"]:
                return self.fail(seed, f"plan {k}: feasible {e['feasible']}, recomputed {mine}: {e.get('violations')}")
            if mine is None:
                continue
            feasible += 1
            if abs(e["objective"] - mine) > 1e-6 * max(1, abs(mine)):
                return self.fail(seed, f"plan {k}: objective {e['objective']}, recomputed {mine}")
            devices = ["cpu", "ilgpu-cpu"] if k == 0 and seed % 5 == 0 else ["cpu"] if k < 2 else []
            for device in devices:
                out = os.path.join(folder, f"score{k}-{device}")
                s = self.run("score", path, plan, "--scenarios", "20", "--device", device, "--out", out)
                risk = json.load(open(os.path.join(out, "scores.json")))["plans"][0]["risk"] if s.returncode == 0 else None
                if risk is None or abs(risk["mean"] - mine) > 1e-6 * max(1, abs(mine)) or abs(risk["cVaR"] - mine) > 1e-6 * max(1, abs(mine)):
                    return self.fail(seed, f"plan {k}: score on {device} {risk}, objective {mine}")
        print(seed, "6 plans,", feasible, "feasible", flush=True)

    def loop(self, seed):
        instance, folder, path, valid = self.case(seed, "loop-", more=True)
        for lease in instance["leases"]:
            lease.pop("announcedAt", None)
        with open(path, "w") as f:
            json.dump(instance, f, indent=1)
        if not valid or plan_size(instance) > 100_000:
            return
        best, _ = optimum(instance)
        if best is None:
            return
        every = str(1 + seed % 3)
        r = self.run("simulate", path, "--policies", "static,exact", "--scenarios", "2", "--replan-every", every,
                     "--epoch-time-limit", "10", "--threads", "1", "--out", os.path.join(folder, "sim"))
        if r.returncode != 0:
            return self.fail(seed, f"simulate exit {r.returncode}: {r.stderr[-300:]}")
        summary = json.load(open(os.path.join(folder, "sim", "summary.json")))
        means = {p["name"]: p["mean"] for p in summary["policies"]}
        tol = 1e-6 * max(1, abs(best))
        if abs(means["static"] - best) > tol or means["exact"] < best - tol:
            return self.fail(seed, f"closed loop {means}, optimum {best}")
        above = " (re-planning above it by " + str(round(means["exact"] - best, 2)) + ")" if means["exact"] > best + tol else ""
        print(seed, "re-planning every", every, "optimum", round(best, 2), above, flush=True)

    def stability(self, seed):
        instance, folder, path, valid = self.case(seed, "stability-", more=True)
        if not valid or plan_size(instance) > 100_000:
            return
        plans = [(lc, jc) for lc in itertools.product(*[choices(instance, l, False) for l in instance["leases"]])
                 for jc in itertools.product(*[choices(instance, j, True) for j in instance["jobs"]])]
        values = [objective(instance, lc, jc) for lc, jc in plans]
        feasible = [(p, v) for p, v in zip(plans, values) if v is not None]
        if not feasible:
            return
        rng = random.Random(seed)
        (last_l, last_j), _ = rng.choice(feasible)
        cost = rng.choice([50, 500, 5000])
        items = [(l, c) for l, c in zip(instance["leases"], last_l)] + [(j, c) for j, c in zip(instance["jobs"], last_j)]

        def charge(lc, jc):
            """C per GPU-period of each block not on last night's pool and periods; a block dropped costs nothing."""
            total = 0.0
            for (item, before), now in zip(items, list(lc) + list(jc)):
                if before is None or now is None:
                    continue
                shared = max(0, min(before[1], now[1]) + item["periods"] - max(before[1], now[1])) if before[0] == now[0] else 0
                total += cost * item["gpus"] * (item["periods"] - shared)
            return total

        best = max(v - charge(*p) for p, v in feasible)
        out = os.path.join(folder, "out")
        os.makedirs(os.path.join(out, "instance"), exist_ok=True)
        with open(os.path.join(out, "instance", "plan.json"), "w") as f:
            json.dump(plan_file(instance, last_l, last_j), f)
        r = self.run("run-once", "--instance", path, "--out", out, "--history", os.path.join(folder, "history.db"),
                     "--move-cost", str(cost), "--time-limit", "20", "--threads", "1")
        if r.returncode != 0:
            return self.fail(seed, f"run-once exit {r.returncode}: {r.stderr[-300:]}")
        lc, jc, plan = read_plan(os.path.join(out, "instance", "plan.json"))
        mine = objective(instance, lc, jc)
        if mine is None or abs(mine - plan["objective"]) > 1e-6 * max(1, abs(mine)):
            return self.fail(seed, f"plan infeasible or objective {plan['objective']} not its recomputation {mine}")
        got = mine - charge(lc, jc)
        if abs(got - best) > 1e-6 * max(1, abs(best)):
            return self.fail(seed, f"move cost {cost}: objective less charge {got}, enumeration {best}")
        print(seed, "move cost", cost, "objective less charge", round(best, 2), flush=True)

    def commands(self, seed):
        instance, folder, path, valid = self.case(seed, "commands-")
        instance["uncertainty"] = {"deliverySlip": {"probability": 0.5, "maxPeriods": 2}, "outage": {"mean": 0.05, "max": 0.3},
                                   "jobOverrun": {"probability": 0.3, "maxFraction": 0.5}, "jobSuccess": True,
                                   "spotVolatility": 0.2, "offerArrival": {"probability": 0.5}}
        with open(path, "w") as f:
            json.dump(instance, f, indent=1)
        if self.run("validate", path).returncode != 0:
            return
        policies = "exact,greedy,bid-price,lease-first,train-first,split:0.3,threshold:2.5,buffered:0.05"
        runs = {
            "compare": ["compare", path, "--policies", policies, "--scenarios", "200", "--time-limit", "5", "--device", "cpu", "--out", os.path.join(folder, "compare")],
            "simulate": ["simulate", path, "--policies", "static,exact,greedy", "--scenarios", "6", "--epoch-time-limit", "2", "--hindsight", "--out", os.path.join(folder, "simulate")],
            "robust": ["plan", path, "--robust", "--time-limit", "8", "--scenarios", "200", "--oos-scenarios", "500", "--device", "cpu", "--out", os.path.join(folder, "robust"), "--quiet"],
        }
        for name, args in runs.items():
            r = self.run(*args)
            if r.returncode not in (0, 3):
                return self.fail(seed, f"{name} exit {r.returncode}: {(r.stderr.strip().splitlines() or [''])[-1][:200]}")
        problem = self.compared_plans(instance, path, os.path.join(folder, "compare"))
        if problem:
            return self.fail(seed, problem)
        risk_path = os.path.join(folder, "robust", "risk.json")
        if os.path.exists(risk_path):
            robust = json.load(open(risk_path))["search"]["robust"]
            s = self.run("score", path, os.path.join(folder, "robust", "plan.json"), "--scenarios", "200", "--seed", "1", "--device", "cpu", "--json")
            scored = json.loads(s.stdout)["plans"][0]["risk"]
            if abs(scored["mean"] - robust["mean"]) > 1e-9 * max(1, abs(robust["mean"])):
                return self.fail(seed, f"risk.json mean {robust['mean']}, score {scored['mean']}")
        print(seed, "compare, simulate, robust: ok", flush=True)


    def compared_plans(self, instance, path, out):
        """compare's plans/INSTANCE/POLICY.json: feasible at the deterministic objective it reports, and `score` of it on
        the same scenarios gives compare's mean."""
        summary = json.load(open(os.path.join(out, "summary.json")))["instances"][0]
        for policy in (p for p in summary["policies"] if p["planned"]):
            file = compared_plan(out, instance, policy["policy"])
            lc, jc, _ = read_plan(file)
            mine = objective(instance, lc, jc)
            if mine is None or abs(mine - policy["deterministicObjective"]) > 1e-6 * max(1, abs(mine)):
                return f"compare's {policy['policy']} plan: objective {policy['deterministicObjective']}, recomputed {mine}"
            r = self.run("score", path, file, "--scenarios", str(summary["scenarios"]), "--seed", "1", "--device", "cpu", "--json")
            mean = json.loads(r.stdout)["plans"][0]["risk"]["mean"]
            if abs(mean - policy["risk"]["mean"]) > 1e-9 * max(1, abs(mean)):
                return f"compare's {policy['policy']} plan scores {mean} again, compare said {policy['risk']['mean']}"
        return None

    def sweep(self, seed):
        """A sweep of three generated instances (the generator's, unlike the other modes): every task's plans feasible at
        the objective its summary reports, exact's the enumerated optimum, and each plan's score compare's figures."""
        folder = os.path.join(self.work, f"sweep-{seed}")
        os.makedirs(folder, exist_ok=True)
        grid = {"name": f"check{seed}", "pools": [2], "leases": [4], "jobs": [2], "periods": [4], "uncertainty": [True], "hard": [seed % 2 == 0],
                "seeds": [3 * seed, 3 * seed + 1, 3 * seed + 2], "policies": ["exact", "greedy", "split:0.3"], "baseline": "exact",
                "scenarios": 100, "scenarioSeed": seed, "timeLimitSeconds": 20}
        path = os.path.join(folder, "sweep.json")
        with open(path, "w") as f:
            json.dump(grid, f)
        r = self.run("sweep", path, "--out", os.path.join(folder, "out"), "--threads", "1", "--device", "cpu")
        if r.returncode != 0:
            return self.fail(seed, f"sweep exit {r.returncode}: {r.stderr[-300:]}")
        tasks = sorted(os.listdir(os.path.join(folder, "out", "tasks")))
        for task in tasks:
            here = os.path.join(folder, "out", "tasks", task)
            summary = json.load(open(os.path.join(here, "summary.json")))
            found = summary["instances"][0]
            instance = json.load(open(found["path"]))
            best = optimum(instance)[0] if plan_size(instance) <= 200_000 else "unknown"
            for policy in (p for p in found["policies"] if p["planned"]):
                file = compared_plan(here, instance, policy["policy"])
                lc, jc, plan = read_plan(file)
                mine = objective(instance, lc, jc)
                if mine is None or abs(mine - policy["deterministicObjective"]) > 1e-6 * max(1, abs(mine)):
                    return self.fail(seed, f"{task} {policy['policy']}: objective {policy['deterministicObjective']}, recomputed {mine}")
                if policy["policy"] == "exact" and best != "unknown" and abs(mine - best) > 1e-6 * max(1, abs(best)):
                    return self.fail(seed, f"{task} exact makes {mine}, the optimum is {best}")
                scored = self.run("score", found["path"], file, "--scenarios", str(found["scenarios"]), "--seed", str(seed), "--device", "cpu", "--json")
                mean = json.loads(scored.stdout)["plans"][0]["risk"]["mean"]
                if abs(mean - policy["risk"]["mean"]) > 1e-9 * max(1, abs(mean)):
                    return self.fail(seed, f"{task} {policy['policy']}: scores {mean} again, the sweep said {policy['risk']['mean']}")
        print(seed, len(tasks), "tasks: plans feasible, exact optimal, scores as the sweep's", flush=True)

    def uncertain_case(self, seed, prefix, every_source=False, tight_site=False):
        rng = random.Random(seed * 31 + 7)
        instance = draw(random.Random(seed), f"check{seed}", True)
        instance["uncertainty"] = draw_uncertainty(rng)
        if every_source:  # something for each source to draw: a delivery, a late offer, a job, a spot price
            instance["pools"][0].setdefault("deliveries", []).append({"period": 1, "gpus": 500})
            instance["leases"].append({"id": "late", "gpus": 100, "periods": 1, "earliestStart": 1, "latestStart": 1,
                                       "pricePerGpuHour": 1.0, "status": "offer", "announcedAt": 1})
            instance["jobs"].append({"id": "one", "gpus": 100, "periods": 2, "value": 1e5, "successProbability": 0.4})
            instance.setdefault("spot", {"pricePerGpuHour": 1.6, "sellThrough": 0.5})
        if tight_site:  # a second pool of lower kW beside pool 0, and a power cap spot hits: the spot order decides
            first = instance["pools"][0]
            instance["pools"].append({"id": "tight", "site": first["site"], "gpus": 1000, "kwPerGpu": first["kwPerGpu"] / 2})
            site = next(x for x in instance["sites"] if x["id"] == first["site"])
            site["powerCapMw"] = round((max(capacity(first, t) for t in range(instance["horizon"]["periods"])) * first["kwPerGpu"] + 1000 * first["kwPerGpu"] / 2) / 1000 * 0.6, 3)
            instance["spot"] = {"pricePerGpuHour": 2.5, "sellThrough": 1}
        folder = os.path.join(self.work, f"{prefix}{seed}")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "instance.json")
        with open(path, "w") as f:
            json.dump(instance, f, indent=1)
        return instance, folder, path, self.run("validate", path).returncode == 0

    def scenario_draws(self, path, seed, count, first=0):
        r = self.run("scenarios", path, "--scenarios", str(count), "--first", str(first), "--seed", str(seed), "--json")
        return json.loads(r.stdout) if r.returncode == 0 else None

    def draws(self, seed):
        instance, folder, path, valid = self.uncertain_case(seed, "draws-", every_source=True)
        if not valid:
            return
        n = 20000
        draws = self.scenario_draws(path, seed, n)
        if draws is None or len(draws["draws"]) != n:
            return self.fail(seed, "scenarios did not export")
        part = self.scenario_draws(path, seed, 3, first=1234)
        if part is None or part["draws"] != draws["draws"][1234:1237]:
            return self.fail(seed, "scenarios 1234..1236 differ when drawn alone")
        problems = draw_problems(instance, draws) + statistics_problems(instance, draws)
        if problems:
            return self.fail(seed, "; ".join(problems[:4]))
        print(seed, n, "scenarios drawn as documented:", ", ".join(sorted(instance["uncertainty"])) or "no uncertainty", flush=True)

    def recourse(self, seed):
        instance, folder, path, valid = self.uncertain_case(seed, "recourse-", tight_site=seed % 2 == 1)
        if not valid:
            return
        rng = random.Random(seed * 13 + 5)
        plans = []
        for k in range(4):
            lc = [rng.choice(choices(instance, l, False)) for l in instance["leases"]]
            jc = [rng.choice(choices(instance, j, True)) for j in instance["jobs"]]
            if k == 3:  # crowded: every job on the first pool it may use, where the order jobs claim GPUs in decides
                jc = [next((c for c in choices(instance, j, True)[1:] if c[0] == choices(instance, j, True)[1][0] and rng.random() < 0.5),
                           choices(instance, j, True)[1]) if len(choices(instance, j, True)) > 1 else None for j in instance["jobs"]]
            file = os.path.join(folder, f"plan{k}.json")
            with open(file, "w") as f:
                json.dump(plan_file(instance, lc, jc), f)
            plans.append((file, lc, jc))
        n, alpha = 40, [0.05, 0.25][seed % 2]
        draws = self.scenario_draws(path, seed, n)
        if draws is None:
            return self.fail(seed, "scenarios did not export")
        each = {file: [recourse(instance, lc, jc, d) for d in draws["draws"]] for file, lc, jc in plans}
        mine = {file: risk(outcomes, alpha) for file, outcomes in each.items()}
        devices = self.devices or (["cpu", "ilgpu-cpu"] if seed % 4 == 0 else ["cpu"])
        for device in devices:
            out = os.path.join(folder, f"score-{device}")
            r = self.run("score", path, *[p[0] for p in plans], "--scenarios", str(n), "--seed", str(seed), "--alpha", str(alpha), "--device", device,
                         "--json", "--outcomes", "--out", out)
            if r.returncode not in (0, 3):
                return self.fail(seed, f"score on {device} exit {r.returncode}: {r.stderr[-300:]}")
            problem = self.outcome_rows(os.path.join(out, "outcomes.csv"), each)
            if problem:
                return self.fail(seed, f"{device}, {problem}")
            for scored in json.loads(r.stdout)["plans"]:
                want, got = mine[scored["plan"]], scored["risk"]
                scale = max(1.0, *(abs(want[k]) for k in ("meanLeaseRevenue", "meanPenalty", "meanJobValue", "meanSpotRevenue", "meanPowerCost")))
                for key, value in want.items():
                    tol = 1e-9 * (max(1.0, abs(value)) if key in ("probabilityAnyLeaseShort", "expectedShortGpuHours") else scale)
                    if abs(got[key] - value) > tol:
                        return self.fail(seed, f"{device}, {os.path.basename(scored['plan'])}: {key} {got[key]}, recomputed {value}")
        print(seed, "4 plans x", n, "scenarios on", "+".join(devices), "as recomputed:", ", ".join(sorted(instance["uncertainty"])) or "no uncertainty", flush=True)


    def outcome_rows(self, path, each):
        """outcomes.csv, row by row, against the recourse recomputed here: the first scenario that differs, or None."""
        names = {"total": "total", "lease_revenue": "lease", "penalty": "penalty", "job_value": "jobs", "spot_revenue": "spot",
                 "power_cost": "power", "short_gpu_hours": "short"}
        rows = list(csv.DictReader(open(path)))
        if len(rows) != sum(len(v) for v in each.values()):
            return f"outcomes.csv holds {len(rows)} rows"
        for row in rows:
            want = each[row["plan"]][int(row["scenario"])]
            scale = max(1.0, *(abs(want[k]) for k in ("lease", "penalty", "jobs", "spot", "power")))
            for column, key in names.items():
                if abs(float(row[column]) - want[key]) > 1e-9 * (max(1.0, abs(want[key])) if key == "short" else scale):
                    return f"{os.path.basename(row['plan'])} in scenario {row['scenario']}: {column} {row[column]}, recomputed {want[key]}"
        return None

    def replan(self, seed):
        """simulate's shown scenario, epoch by epoch: each residual instance as closed-loop.md builds it, each exact plan
        optimal for it, and the money the loop makes, all recomputed here from the exported draws."""
        instance, folder, path, valid = self.uncertain_case(seed, "replan-")
        if not valid or plan_size(instance) > 50_000:
            return
        every, shown, T = 1 + seed % 2, seed % 3, instance["horizon"]["periods"]
        out = os.path.join(folder, "sim")
        r = self.run("simulate", path, "--policies", "static,exact,greedy", "--scenarios", "3", "--seed", str(seed), "--show-scenario", str(shown),
                     "--replan-every", str(every), "--epoch-time-limit", "20", "--threads", "1", "--hindsight", "--out", out)
        if r.returncode != 0:
            return self.fail(seed, f"simulate exit {r.returncode}: {r.stderr[-300:]}")
        draws = self.scenario_draws(path, seed, 3)["draws"]
        d = draws[shown]
        problem = self.clairvoyant(instance, draws, json.load(open(os.path.join(out, "summary.json")))["clairvoyant"], path, seed, folder)
        if problem:
            return self.fail(seed, problem)
        decisions = {p["name"]: p for p in json.load(open(os.path.join(out, "decisions.json")))["policies"]}
        for name in ("static", "exact", "greedy"):
            loop, epochs = Loop(instance, d), decisions[name]["epochs"]
            for e, epoch in enumerate(range(0, T, T if name == "static" else every)):
                so_far = loop.run.outcome()["total"]  # valueBefore: the periods run, before this epoch's misses
                loop.observe(epoch)
                here = os.path.join(out, "epochs", name, f"epoch-{epoch:03d}")
                written = json.load(open(os.path.join(here, "instance.json")))
                checked = self.run("validate", os.path.join(here, "instance.json"))
                if checked.returncode != 0:
                    return self.fail(seed, f"{name} at epoch {epoch}: the residual instance is not valid: {checked.stderr[-300:]}")
                found = differences(canonical(written), canonical(loop.residual(epoch)))
                if found:
                    return self.fail(seed, f"{name} at epoch {epoch}: the residual instance differs: {'; '.join(found[:3])}")
                if abs(epochs[e]["valueBefore"] - so_far) > 1e-6 * max(1, abs(so_far)):
                    return self.fail(seed, f"{name} at epoch {epoch}: made {epochs[e]['valueBefore']} so far, recomputed {so_far}")
                problem = self.epoch_plan(written, here, name)
                if problem:
                    return self.fail(seed, f"{name} at epoch {epoch}: {problem}")
                if os.path.exists(os.path.join(here, "plan.json")):
                    loop.lift(epoch, json.load(open(os.path.join(here, "plan.json"))))
                loop.answer()
                for u in range(epoch, min(epoch + (T if name == "static" else every), T)):
                    loop.run_period(u)
            for l, lease in enumerate(instance["leases"]):
                if loop.stage[l] == "accepted":
                    loop.stage[l] = "missed"
                    loop.run.miss(l)
            total, reported = loop.run.outcome()["total"], decisions[name]["value"]
            if abs(total - reported) > 1e-6 * max(1, abs(total)):
                return self.fail(seed, f"{name} made {reported} in scenario {shown}, recomputed {total}")
        print(seed, "scenario", shown, "re-planned every", every, ":", ", ".join(f"{n} {round(decisions[n]['value'], 2)}" for n in decisions),
              ",".join(sorted(instance["uncertainty"])) or "no uncertainty", flush=True)

    def clairvoyant(self, instance, draws, reported, path, seed, folder):
        """Each scenario's hindsight instance as `scenarios --hindsight` writes it, and the clairvoyant value's mean: each
        hindsight instance's optimum enumerated, less the constant."""
        out = os.path.join(folder, "draws")
        r = self.run("scenarios", path, "--scenarios", str(len(draws)), "--seed", str(seed), "--out", out, "--hindsight")
        if r.returncode != 0:
            return f"scenarios --hindsight exit {r.returncode}: {r.stderr[-300:]}"
        values = []
        for d in draws:
            written, constant = hindsight(instance, d)
            exported = json.load(open(os.path.join(out, "hindsight", f"scenario-{d['scenario']}.json")))
            found = differences(canonical(exported), canonical(written))
            if found:
                return f"scenario {d['scenario']}: the hindsight instance differs: {'; '.join(found[:3])}"
            if plan_size(written) > 50_000:
                return None
            best = optimum(written)[0]
            if best is None:
                return f"scenario {d['scenario']}: no plan for the hindsight instance (it always has the empty one)"
            values.append(best - constant)
        mean = sum(values) / len(values)
        return None if abs(mean - reported) <= 1e-6 * max(1, abs(mean)) else f"clairvoyant mean {reported}, recomputed {mean} ({values})"

    def epoch_plan(self, residual, here, name):
        """An epoch's plan is feasible for its residual instance, of the objective it states; exact's is the optimum."""
        best = optimum(residual)[0] if name == "exact" and plan_size(residual) <= 200_000 else "unknown"
        file = os.path.join(here, "plan.json")
        if not os.path.exists(file):
            return f"no plan, though one of {best} exists" if best not in (None, "unknown") else None
        lc, jc, plan = read_plan(file)
        mine = objective(residual, lc, jc)
        if mine is None or abs(mine - plan["objective"]) > 1e-6 * max(1, abs(mine)):
            return f"its plan is infeasible or of objective {plan['objective']}, recomputed {mine}"
        if best != "unknown" and abs(best - mine) > 1e-6 * max(1, abs(best)):
            return f"its plan makes {mine}, the residual's optimum is {best}"
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["plan", "evaluate", "loop", "stability", "commands", "draws", "recourse", "replan", "sweep"])
    parser.add_argument("first", type=int)
    parser.add_argument("count", type=int)
    parser.add_argument("--cli", default=DEFAULT_CLI)
    parser.add_argument("--work", default="/tmp/allocator-contract-check")
    parser.add_argument("--more", action="store_true", help="more leases and jobs in every mode (plan, loop and stability always draw them)")
    parser.add_argument("--devices", help="recourse: score on these devices (comma-separated, e.g. cuda on a GPU machine) "
                                          "instead of cpu, and ilgpu-cpu every fourth instance")
    args = parser.parse_args()
    check = Check(os.path.abspath(args.cli), args.work, args.more, args.devices.split(",") if args.devices else None)
    for seed in range(args.first, args.first + args.count):
        getattr(check, args.mode)(seed)
    print("bad", check.bad)
    sys.exit(1 if check.bad else 0)


if __name__ == "__main__":
    main()
