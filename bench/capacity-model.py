#!/usr/bin/python3
"""The capacity model of docs/capacity.md: from bench/capacity.sh's measurements (its JSON) and a workload, what
each stage needs (cores, replicas), each topic's partitions, and the store's and the broker's throughput.
Prints Markdown tables that docs/capacity.md pastes. Standard library only (/usr/bin/python3).

  /usr/bin/python3 bench/capacity-model.py capacity.json [--daily-imports 2000] [--daily-gb 5] [--peak-factor 3]
      [--catalog-items 10000] [--catalog-gb 5] [--catalog-hours 8] [--utilisation 0.8] [--deploy deploy/kubernetes/base]

The model: a stage's cost of one import of S GB is fixed + per_gb * S, for its CPU seconds and each of its store
bytes and requests by op; the two rounds of the bench (two OVA sizes) give the two terms. A stage that reads and
writes none of the OVA's bytes itself (a server-side copy is the store's work) has no CPU cost per GB: its CPU is
the mean per import of both rounds. At a rate of R imports a second, a stage needs R * cpu(S) cores. One member
works on one import at a time, on one core, streaming its bytes at --stream-mbps, so an import holds a member for
max(cpu(S), bytes(S) / stream) seconds and the stage needs R times that members at work at once (Little's law).
Replicas cover the larger of the two at the utilisation given, with the CPU a replica requests in
deploy/kubernetes; a topic needs at least as many partitions as the replicas of the stage reading it. The busy
seconds measured (the stage's own timer) are printed but not used: on a loaded machine they are mostly waiting.
"""
import argparse
import json
import math
import re
import sys
from pathlib import Path

STAGES = ["ingest", "checksum", "schema", "transcode", "publish", "quarantine"]
INPUT_TOPIC = {"ingest": "ova.notifications", "checksum": "ova.arrived", "schema": "ova.verified",
               "transcode": "ova.validated", "publish": "ova.transcoded", "quarantine": "ova.rejected"}
# the publish stage works in batches (up to 200 imports at once, one index rebuild for all): a member is not held
# by one import at a time, so only its CPU says how many it needs
BATCHED = {"publish"}
GB = 1e9


def cpu_quantity(text):
    text = text.strip().strip('"')
    return float(text[:-1]) / 1000 if text.endswith("m") else float(text)


def deployment(base):
    """Each stage's CPU request and limit (its Deployment under base) and the partitions settings.env sets."""
    resources = {}
    for path in sorted(Path(base).glob("*.yaml")):
        text = path.read_text()
        stage = re.search(r"args:\s*\[run,\s*--stages,\s*(\w+)", text)
        if not stage:
            continue
        request = re.search(r"requests:\s*\n\s*cpu:\s*(\S+)", text)
        limit = re.search(r"limits:\s*\n\s*cpu:\s*(\S+)", text)
        lag = re.search(r"lagThreshold:\s*\"?(\d+)", text)
        resources[stage.group(1)] = {"request": cpu_quantity(request.group(1)) if request else None,
                                     "limit": cpu_quantity(limit.group(1)) if limit else None,
                                     "lagThreshold": int(lag.group(1)) if lag else None}
    partitions = {}
    settings = Path(base) / "settings.env"
    if settings.exists():
        for line in settings.read_text().splitlines():
            m = re.match(r"OVAFLOW_PARTITIONS_(\w+)=(\d+)", line)
            if m:
                partitions["ova." + m.group(1).lower()] = int(m.group(2))
    return resources, partitions


class Linear:
    """fixed + per_gb * S through the two rounds' per-import values, neither term negative (a noisy second round
    that costs less than the first is read as no cost per GB)."""

    def __init__(self, x1, y1, x2, y2):
        per_gb = (y2 - y1) / (x2 - x1) if x2 != x1 else 0.0
        if per_gb < 0:
            per_gb = 0.0
        fixed = y2 - per_gb * x2
        if fixed < 0:
            fixed, per_gb = 0.0, y2 / x2
        self.fixed, self.per_gb = fixed, per_gb

    def at(self, gb):
        return self.fixed + self.per_gb * gb


def per_import(round_, getter):
    return getter(round_) / round_["imports"]


def mean_gb(round_):
    return sum(round_["ova_bytes"]) / len(round_["ova_bytes"]) / GB


def fmt(x, digits=3):
    """A figure with `digits` significant digits, no exponent."""
    if x == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(x)))
    decimals = max(0, digits - 1 - magnitude)
    return f"{x:,.{decimals}f}"


def size(x):
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(x) >= scale:
            return f"{fmt(x / scale)} {unit}"
    return f"{fmt(x)} B"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("measurements", help="the JSON bench/capacity.sh wrote")
    parser.add_argument("--daily-imports", type=float, default=2000, help="steady workload: imports a day (2000)")
    parser.add_argument("--daily-gb", type=float, default=5, help="steady workload: GB an OVA (5)")
    parser.add_argument("--peak-factor", type=float, default=3,
                        help="steady workload: the peak hour's rate over the day's average (3)")
    parser.add_argument("--catalog-items", type=float, default=10000, help="onboarding: OVAs of the catalog (10000)")
    parser.add_argument("--catalog-gb", type=float, default=5, help="onboarding: GB an OVA (5)")
    parser.add_argument("--catalog-hours", type=float, default=8, help="onboarding: hours it must take at most (8)")
    parser.add_argument("--stream-mbps", type=float, default=100,
                        help="MB/s one member reads or writes the store at, one stream (100: an assumption, "
                             "typical of one S3 stream; loopback on the bench machine says nothing about it)")
    parser.add_argument("--utilisation", type=float, default=0.8,
                        help="the share of a replica's CPU request and of its time the sizing plans to use (0.8)")
    parser.add_argument("--deploy", default=str(Path(__file__).resolve().parent.parent / "deploy/kubernetes/base"),
                        help="the kustomize base whose CPU requests, lag thresholds and partitions to compare with")
    args = parser.parse_args()

    data = json.loads(Path(args.measurements).read_text())
    rounds = {r["name"]: r for r in data["rounds"]}
    small, large = rounds["small"], rounds["large"]
    x1, x2 = mean_gb(small), mean_gb(large)
    resources, partitions = deployment(args.deploy)

    def fit(getter):
        return Linear(x1, per_import(small, getter), x2, per_import(large, getter))

    ops = sorted({op for r in (small, large) for s in STAGES for op in r["processes"][s].get("store_bytes", {})})
    request_ops = sorted({op for r in (small, large) for s in STAGES
                          for op in r["processes"][s].get("store_requests", {})})
    topics = sorted({t for r in (small, large) for t in r["topics"]})
    model = {}
    for s in STAGES:
        streamed = fit(lambda r, s=s: sum(v for op, v in r["processes"][s].get("store_bytes", {}).items()
                                          if op in ("get", "put")))
        cpu = fit(lambda r, s=s: r["processes"][s]["cpu_s"])
        if streamed.per_gb < 0.1 * GB:
            imports = small["imports"] + large["imports"]
            cpu.fixed = (small["processes"][s]["cpu_s"] + large["processes"][s]["cpu_s"]) / imports
            cpu.per_gb = 0.0
        model[s] = {
            "cpu": cpu,
            "streamed": streamed,
            "bytes": {op: fit(lambda r, s=s, op=op: r["processes"][s].get("store_bytes", {}).get(op, 0))
                      for op in ops},
            "requests": {op: fit(lambda r, s=s, op=op: r["processes"][s].get("store_requests", {}).get(op, 0))
                         for op in request_ops},
        }
    servers = fit(lambda r: r["processes"]["servers"]["cpu_s"])
    records = {t: fit(lambda r, t=t: r["topics"].get(t, {}).get("records", 0)) for t in topics}
    record_bytes = {t: fit(lambda r, t=t: r["topics"].get(t, {}).get("bytes", 0)) for t in topics}

    out = []
    loads = [v for r in data["rounds"] for v in r["load_average"]]
    out.append(f"Measured by bench/capacity.sh at {data['commit']} on {data['when']}: {data['cores']} cores, "
               f"1-minute load average {fmt(min(loads), 2)}–{fmt(max(loads), 2)} during the rounds; "
               f"round small: {small['imports']} OVAs of {size(x1 * GB)}, round large: {large['imports']} of "
               f"{size(x2 * GB)}; idle CPU subtracted ({fmt(data['idle']['seconds'])} s measured idle).\n")

    out.append("### One import, measured (round large, per import)\n")
    rows = []
    for s in STAGES:
        p = large["processes"][s]
        n = large["imports"]
        get = lambda d, op: d.get(op, 0) / n
        rows.append([s, fmt(p["cpu_s"] / n), fmt(p["cpu_s"] / n / x2), fmt(p["busy_s"] / n) if p.get("busy_count") else "–",
                     size(get(p.get("store_bytes", {}), "get")), size(get(p.get("store_bytes", {}), "put")),
                     size(get(p.get("store_bytes", {}), "copy")),
                     ", ".join(f"{op} {fmt(c / n)}" for op, c in sorted(p.get("store_requests", {}).items())) or "–"])
    p = large["processes"]["servers"]
    rows.append(["*broker+store (embedded)*", fmt(p["cpu_s"] / large["imports"]),
                 fmt(p["cpu_s"] / large["imports"] / x2), "–", "–", "–", "–", "–"])
    out.append(table(["stage", "CPU s", "CPU s/GB", "busy s (wall)", "store GET", "store PUT", "store COPY",
                      "store requests by op"], rows))

    out.append("\n### The model: cost of one import of S GB = fixed + per GB × S\n")
    rows = []
    for s in STAGES:
        m = model[s]
        rows.append([s, fmt(m["cpu"].fixed), fmt(m["cpu"].per_gb),
                     "; ".join(f"{op} {size(f.fixed)} + {size(f.per_gb)}/GB" for op, f in m["bytes"].items()
                               if f.fixed or f.per_gb) or "–",
                     "; ".join(f"{op} {fmt(f.fixed, 2)} + {fmt(f.per_gb, 2)}/GB" for op, f in m["requests"].items()
                               if f.fixed or f.per_gb) or "–"])
    out.append(table(["stage", "CPU s fixed", "CPU s/GB", "store bytes", "store requests"],
                     rows))
    rows = [[t, fmt(records[t].at(x2), 2), size(record_bytes[t].at(x2))] for t in topics]
    out.append("\nBroker records one import adds, by topic (round large):\n")
    out.append(table(["topic", "records", "bytes"], rows))

    workloads = [
        ("steady", f"{fmt(args.daily_imports)} imports a day of {fmt(args.daily_gb)} GB, peak {fmt(args.peak_factor)}× "
                   f"the day's average", args.daily_imports / 86400 * args.peak_factor, args.daily_gb),
        ("onboarding", f"a catalog of {fmt(args.catalog_items)} OVAs of {fmt(args.catalog_gb)} GB in "
                       f"{fmt(args.catalog_hours)} h, dropped at once: the stages drain it at an even rate",
         args.catalog_items / (args.catalog_hours * 3600), args.catalog_gb),
    ]
    needed_partitions = {}
    results = {}
    held_by = {}
    for name, description, rate, gb in workloads:
        out.append(f"\n### Workload {name}: {description}: {fmt(rate)} imports/s, {size(rate * gb * GB)}/s\n")
        rows = []
        for s in STAGES:
            m = model[s]
            cores = rate * m["cpu"].at(gb)
            held = max(m["cpu"].at(gb), m["streamed"].at(gb) / (args.stream_mbps * 1e6))
            busy = rate * held
            held_by.setdefault(name, {})[s] = held
            request = resources.get(s, {}).get("request") or 1.0
            replicas = max(1, math.ceil(cores / (request * args.utilisation)),
                           0 if s in BATCHED else math.ceil(busy / args.utilisation))
            topic = INPUT_TOPIC[s]
            needed_partitions[topic] = max(needed_partitions.get(topic, 1), replicas)
            results.setdefault(name, {})[s] = {"cores": cores, "busy": busy, "replicas": replicas}
            rows.append([s, fmt(m["cpu"].at(gb)), fmt(cores), fmt(held), "–" if s in BATCHED else fmt(busy),
                         fmt(request, 2), replicas])
        rows.append(["*broker+store (embedded)*", fmt(servers.at(gb)), fmt(rate * servers.at(gb)), "–", "–", "–",
                     "–"])
        out.append(table(["stage", "CPU s an import", "cores", "s a member holds an import", "imports in work at once",
                          "CPU request a replica", "replicas"], rows))
        by_op = {op: rate * sum(model[s]["bytes"][op].at(gb) for s in STAGES) for op in ops}
        requests = {op: rate * sum(model[s]["requests"][op].at(gb) for s in STAGES) for op in request_ops}
        out.append(f"\nStore: the uploads (drops) {size(rate * gb * GB)}/s; the stages "
                   + ", ".join(f"{op} {size(v)}/s" for op, v in by_op.items())
                   + f"; requests {fmt(sum(requests.values()))}/s ("
                   + ", ".join(f"{op} {fmt(v)}" for op, v in requests.items() if v) + ").")
        total_records = rate * sum(records[t].at(gb) for t in topics)
        out.append(f"Broker: {fmt(total_records)} records/s, {size(rate * sum(record_bytes[t].at(gb) for t in topics))}/s ("
                   + ", ".join(f"{t} {fmt(rate * records[t].at(gb))}" for t in topics) + ").")

    out.append("\n### Partitions of each stage's input topic, and its lag threshold\n")
    out.append("A lag threshold is how many waiting imports one member should hold: a minute of its work at the "
               f"steady workload's size ({fmt(args.daily_gb)} GB), at least 1; the publish stage's is a batch.\n")
    rows = []
    for s in STAGES:
        topic = INPUT_TOPIC[s]
        held = held_by[workloads[0][0]][s]
        threshold = "a batch" if s in BATCHED else max(1, math.floor(60 / held)) if held else "–"
        rows.append([topic, s, " / ".join(str(results[w][s]["replicas"]) for w, *_ in workloads),
                     needed_partitions[topic], partitions.get(topic, "–"), threshold,
                     resources.get(s, {}).get("lagThreshold") or "–"])
    out.append(table(["topic", "read by", "replicas " + " / ".join(w for w, *_ in workloads),
                      "partitions needed", "settings.env", "lagThreshold (model)", "lagThreshold (deploy)"], rows))
    print("\n".join(out))


if __name__ == "__main__":
    sys.exit(main())
