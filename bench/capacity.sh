#!/usr/bin/env bash
# The capacity model's measurements (docs/capacity.md): what one import costs each stage, run as the deployment
# runs it: the broker and store in one process (`ovaflow run --stages none`: embedded Kafka and S3), each stage
# in a process of its own against them (`ovaflow run --stages X --kafka … --s3 …`), all on 127.0.0.1.
#
#   bench/capacity.sh [MODEL OPTIONS]        run from the repository root; the options go to capacity-model.py
#
# Two rounds of imports, each dropped at once with `ovaflow import --wait` after one warm-up import (the JVMs
# compile their code on it, unmeasured): BENCH_SMALL_IMPORTS OVAs of BENCH_SMALL_MIB MiB, then BENCH_IMPORTS OVAs of
# BENCH_MIB MiB. Two sizes, so that the model can tell a stage's cost per import from its cost per GB. Every OVA
# holds one streamOptimized VMDK of incompressible data, its virtual disk four times the data (as whole-import.sh's).
# For each round and stage it records:
#   CPU seconds   utime+stime of the stage's process (/proc/PID/stat) over the round, less what the process
#                 spends idle in as long (heartbeats, the ingest scan), measured for BENCH_IDLE_S before the rounds
#   busy seconds  ovaflow_stage_duration_seconds' sum: the time the stage spent on the round's imports
#   store         ovaflow_store_bytes_total{stage,op} and ovaflow_store_requests_total{stage,op} from its /metrics
#                 (the requests less those it makes idle: the ingest stage's scan of the incoming bucket)
# and for each topic the records the round added and their bytes (kcat), then writes it all as JSON
# (BENCH_JSON, default target/capacity.json) and runs bench/capacity-model.py on it, which prints the tables.
#
# Environment: BENCH_IMPORTS (4), BENCH_MIB (256), BENCH_SMALL_IMPORTS (4), BENCH_SMALL_MIB (16), BENCH_IDLE_S
# (30), BENCH_JSON (target/capacity.json), BENCH_OVA_DIR (keep the generated OVAs there for the next run),
# BENCH_START_S (600: how long a process may take to come up on a busy machine), BENCH_TIMEOUT (the imports'
# --timeout, PT30M), BENCH_SKIP_BUILD=1 (use the jars as built), MAVEN_OPTS_BENCH (extra mvn arguments, e.g. -o).
# Each process gets -Xmx320m, the deployment's heap (deploy/kubernetes/base/process.yaml). TMPDIR needs room for
# the OVAs.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

imports="${BENCH_IMPORTS:-4}"
mib="${BENCH_MIB:-256}"
small_imports="${BENCH_SMALL_IMPORTS:-4}"
small_mib="${BENCH_SMALL_MIB:-16}"
idle_s="${BENCH_IDLE_S:-30}"
json="${BENCH_JSON:-target/capacity.json}"
mkdir -p "$(dirname "$json")"
start_s="${BENCH_START_S:-600}"
stages=(ingest checksum schema transcode publish quarantine)
for tool in qemu-img kcat openssl curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 2; }
done
py=/usr/bin/python3

bench_tmp capacity
declare -A pid http_of
pids=()
bench_on_exit '[ ${#pids[@]} -eq 0 ] || bench_stop "${pids[@]}"'
bench_build
ova_dir="${BENCH_OVA_DIR:-$tmp/ovas}"
mkdir -p "$ova_dir"

# generate NAME DATA_MIB: $ova_dir/NAME.ova (kept when it is there already), a disk of 4 × DATA_MIB MiB virtual
# holding DATA_MIB MiB of incompressible data in 4 MiB runs spread over it
generate() {
  bench_vmdk_ova "$ova_dir/$1.ova" "$1" "Capacity $1" "$((4 * $2))" "$2"
}

free_port() { "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start NAME ARGS...: `ovaflow run ARGS` as NAME, its HTTP on a port of its own; the launcher execs java, so the
# process id is the JVM's, whose CPU /proc shows
start() {
  local name=$1 port
  port=$(free_port)
  OVAFLOW_JAVA_OPTS="-Xmx320m" ./ovaflow run --data-dir "$tmp/$name" --http-port "$port" "${@:2}" \
    >"$tmp/$name.log" 2>&1 &
  pid[$name]=$!
  pids+=("$!")
  http_of[$name]="http://127.0.0.1:$port"
}

await_healthy() {
  local name=$1
  for _ in $(seq 1 $((2 * start_s))); do
    kill -0 "${pid[$name]}" 2>/dev/null || { tail -30 "$tmp/$name.log" >&2; echo "bench: $name stopped" >&2; exit 2; }
    curl -fsS "${http_of[$name]}/health" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  tail -30 "$tmp/$name.log" >&2; echo "bench: $name did not come up" >&2; exit 2
}

# snapshot FILE: every process's CPU ticks, every stage's store counters and stage time, every topic's records
snapshot() {
  {
    echo "at $(date +%s.%N)"
    echo "load $(cut -d' ' -f1 /proc/loadavg)"
    local name
    for name in servers "${stages[@]}"; do
      echo "cpu $name $(awk '{print $14 + $15}' "/proc/${pid[$name]}/stat")"
    done
    for name in "${stages[@]}"; do
      curl -fsS "${http_of[$name]}/metrics" | grep -E '^ovaflow_(store_bytes_total|store_requests_total|stage_duration_seconds_(sum|count))\{' \
        | sed "s/^/metric $name /"
    done
    local topic
    for topic in $(kcat -b "$kafka" -L 2>/dev/null | sed -n 's/^ *topic "\([^"]*\)".*/\1/p' | grep -v '^__' | sort); do
      echo "topic $topic $(kcat -b "$kafka" -C -t "$topic" -o beginning -e -q -f '%S\n' 2>/dev/null \
        | awk '{n++; b += $1} END {printf "%d %d", n, b}')"
    done
  } >"$1"
}

# round NAME COUNT MIB: generates COUNT OVAs, drops them at once and waits for every one to be published
round() {
  local name=$1 count=$2 data_mib=$3 files=() i
  for i in $(seq 1 "$count"); do
    generate "$name-$data_mib-$i" "$data_mib"
    files+=("$ova_dir/$name-$data_mib-$i.ova")
  done
  cat "${files[@]}" >/dev/null
  echo "bench: round $name: $count OVAs of $data_mib MiB, $(du -cb "${files[@]}" | tail -1 | cut -f1) bytes..." >&2
  snapshot "$tmp/$name.before"
  ./ovaflow import --data-dir "$tmp/servers" "${files[@]}" --wait --timeout "${BENCH_TIMEOUT:-PT30M}" \
    >"$tmp/import-$name.log" 2>&1 || { cat "$tmp/import-$name.log" >&2; echo "bench: round $name failed" >&2; exit 2; }
  # the last PUBLISHED status is written before the publish stage's batch ends (its index, its commit)
  settle
  snapshot "$tmp/$name.after"
  stat -c '%s' "${files[@]}" | paste -sd' ' | sed 's/^/ova_bytes /' >"$tmp/$name.sizes"
  echo "bench: round $name done: $(grep -c PUBLISHED "$tmp/import-$name.log") of $count published" >&2
}

# waits until no stage has work left: every stage's imports in flight 0 for two seconds in a row
settle() {
  local quiet=0
  while [ "$quiet" -lt 2 ]; do
    sleep 1
    if curl -fsS "${http_of[@]/%//metrics}" 2>/dev/null | grep -E '^ovaflow_imports_in_flight\{' \
         | awk '{s += $2} END {exit !(s == 0)}'; then
      quiet=$((quiet + 1))
    else
      quiet=0
    fi
  done
}

echo "bench: starting the broker and store (ovaflow run --stages none)..." >&2
start servers --stages none
await_healthy servers
endpoints="$tmp/servers/endpoints.properties"
kafka="$(sed -n 's/^kafka=//p' "$endpoints" | sed 's/\\:/:/g')"
s3="$(sed -n 's/^s3=//p' "$endpoints" | sed 's/\\:/:/g')"
export OVAFLOW_S3_ACCESS_KEY OVAFLOW_S3_SECRET_KEY
OVAFLOW_S3_ACCESS_KEY="$(sed -n 's/^s3.access-key=//p' "$endpoints")"
OVAFLOW_S3_SECRET_KEY="$(sed -n 's/^s3.secret-key=//p' "$endpoints")"
echo "bench: starting one process per stage against Kafka $kafka and S3 $s3..." >&2
for stage in "${stages[@]}"; do
  start "$stage" --stages "$stage" --kafka "$kafka" --s3 "$s3" -D "ovaflow.instance=$stage" \
    -D ovaflow.ingest.scan-interval-ms=1000
done
for stage in "${stages[@]}"; do await_healthy "$stage"; done
ttick=$(getconf CLK_TCK)

echo "bench: warm-up import..." >&2
round warmup 1 "$small_mib"
echo "bench: measuring the processes idle for $idle_s s..." >&2
snapshot "$tmp/idle.before"
sleep "$idle_s"
snapshot "$tmp/idle.after"
round small "$small_imports" "$small_mib"
round large "$imports" "$mib"

"$py" - "$tmp" "$ttick" "$(nproc)" "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . || echo '+changes')" \
  "$json" <<'PY'
import json, re, sys, time
tmp, tick, cores, commit, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
metric = re.compile(r'^(\w+)\{(.*)\} (\S+)$')

def read(path):
    snap = {"cpu": {}, "metrics": {}, "topics": {}}
    for line in open(path):
        kind, _, rest = line.rstrip("\n").partition(" ")
        if kind == "at":
            snap["at"] = float(rest)
        elif kind == "load":
            snap["load"] = float(rest)
        elif kind == "cpu":
            name, ticks = rest.split()
            snap["cpu"][name] = int(ticks) / tick
        elif kind == "metric":
            stage, _, sample = rest.partition(" ")
            m = metric.match(sample)
            labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
            key = m.group(1)
            if "op" in labels:
                key += ":" + labels["op"]
            snap["metrics"].setdefault(stage, {})
            snap["metrics"][stage][key] = snap["metrics"][stage].get(key, 0.0) + float(m.group(3))
        elif kind == "topic":
            name, records, size = rest.split()
            snap["topics"][name] = (int(records), int(size))
    return snap

idle_before, idle_after = read(tmp + "/idle.before"), read(tmp + "/idle.after")
idle_s = idle_after["at"] - idle_before["at"]
idle_rate = {p: (idle_after["cpu"][p] - idle_before["cpu"][p]) / idle_s for p in idle_before["cpu"]}
# requests a process makes idle (the ingest stage's scan of the incoming bucket: a LIST a second here), per second
idle_requests = {p: {k.split(":")[1]: (v - idle_before["metrics"][p].get(k, 0.0)) / idle_s
                     for k, v in m.items() if k.startswith("ovaflow_store_requests_total:")}
                 for p, m in idle_after["metrics"].items()}

rounds = []
for name in ("small", "large"):
    before, after = read(f"{tmp}/{name}.before"), read(f"{tmp}/{name}.after")
    seconds = after["at"] - before["at"]
    sizes = [int(s) for s in open(f"{tmp}/{name}.sizes").read().split()[1:]]
    processes = {}
    for p in before["cpu"]:
        raw = after["cpu"][p] - before["cpu"][p]
        entry = {"cpu_s_raw": round(raw, 2), "cpu_s_idle": round(idle_rate[p] * seconds, 2),
                 "cpu_s": round(max(0.0, raw - idle_rate[p] * seconds), 2)}
        if p in after["metrics"]:
            delta = {k: after["metrics"][p].get(k, 0.0) - before["metrics"].get(p, {}).get(k, 0.0)
                     for k in after["metrics"][p]}
            entry["busy_s"] = round(delta.get("ovaflow_stage_duration_seconds_sum", 0.0), 2)
            entry["busy_count"] = int(delta.get("ovaflow_stage_duration_seconds_count", 0))
            entry["store_bytes"] = {k.split(":")[1]: int(v) for k, v in delta.items()
                                    if k.startswith("ovaflow_store_bytes_total:") and v}
            requests = {k.split(":")[1]: v for k, v in delta.items() if k.startswith("ovaflow_store_requests_total:")}
            idle = {op: idle_requests.get(p, {}).get(op, 0.0) * seconds for op in requests}
            entry["store_requests_raw"] = {op: int(v) for op, v in requests.items() if v}
            entry["store_requests_idle"] = {op: round(v, 1) for op, v in idle.items() if v}
            entry["store_requests"] = {op: round(max(0.0, v - idle[op]), 1) for op, v in requests.items()
                                       if v - idle[op] > 0}
        processes[p] = entry
    topics = {}
    for t, (records, size) in after["topics"].items():
        r0, s0 = before["topics"].get(t, (0, 0))
        if records - r0:
            topics[t] = {"records": records - r0, "bytes": size - s0}
    rounds.append({"name": name, "imports": len(sizes), "ova_bytes": sizes, "seconds": round(seconds, 1),
                   "load_average": [before["load"], after["load"]], "processes": processes, "topics": topics})

result = {
    "what": "bench/capacity.sh: per-round costs of imports, one process per stage (docs/capacity.md)",
    "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "commit": commit, "cores": cores,
    "idle": {"seconds": round(idle_s, 1), "cpu_s_per_s": {p: round(r, 4) for p, r in idle_rate.items()},
             "load_average": [idle_before["load"], idle_after["load"]]},
    "rounds": rounds,
}
with open(out, "w") as f:
    json.dump(result, f, indent=1)
    f.write("\n")
print(f"bench: measurements in {out}", file=sys.stderr)
PY

bench_stop "${pids[@]}"
pids=()
"$py" bench/capacity-model.py "$json" "$@"
