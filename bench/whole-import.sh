#!/usr/bin/env bash
# A whole import against the script it replaces: one OVA through `./ovaflow run` (embedded Kafka and S3,
# -Xmx256m, the default targets original,qcow2) and through a naive script into the same store.
#
#   bench/whole-import.sh [small|large|both]     run from the repository root (default both)
#
# For each size it generates an OVA holding one streamOptimized VMDK (small: 4 GiB virtual, ~1 GiB of
# incompressible data; large: 32 GiB virtual, ~8 GiB), its descriptor and a SHA256 manifest, then:
#   ovaflow: `ovaflow import FILE --wait` into a fresh `ovaflow run`; drop → PUBLISHED (from the start of the
#            import command to the PUBLISHED status's time) and ARRIVED → PUBLISHED stage by stage from ova.status,
#            the process's peak heap (GC log), and what the stages asked the store to move
#            (ovaflow_store_bytes_total{stage,op}) per byte of OVA, the drop's own upload counted as one put;
#   naive:   tar -x, SHA-256 of every manifest line (Python's hashlib), xmllint --noout of the descriptor,
#            qemu-img convert -O qcow2, then `aws s3 cp` of the OVA, the original disk, the qcow2 and the descriptor
#            into a bucket of the same store;
# and prints both times and their ratio (the goal: ovaflow / naive ≤ 0.7). With BENCH_RUNS=N each size runs N
# times, the two sides alternating (ovaflow, naive, ovaflow, …), and a last row gives the medians: the naive
# script's time varies from day to day and run to run with the disk's state (44 to 63 s for the same small OVA).
#
# Environment: BENCH_SKIP_BUILD=1 (use the jars as built), BENCH_RUNS (1), BENCH_OVAFLOW (the launcher, ./ovaflow),
# BENCH_START_S (600: how long `run` may take to come up on a busy machine), BENCH_OVA_DIR (keep the generated
# OVAs there and use them again on the next run; default: generated into the run's temporary folder),
# BENCH_TIMEOUT (the import's --timeout, PT30M), TMPDIR (needs ~8 GB free for small, ~60 GB for large: the OVA,
# and the store's copies of it, the original disk and the qcow2, each run's removed when it ends), and
# -D key=value arguments after the size go to `ovaflow run`.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sizes="${1:-both}"
shift || true
case "$sizes" in
  small) sizes="small" ;;
  large) sizes="large" ;;
  both) sizes="small large" ;;
  *) echo "bench: the size is small, large or both, not '$sizes'" >&2; exit 2 ;;
esac
ovaflow="${BENCH_OVAFLOW:-./ovaflow}"
for tool in qemu-img xmllint aws kcat openssl curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 2; }
done
py=/usr/bin/python3

bench_tmp whole-import
run_pid=""
bench_on_exit '[ -z "$run_pid" ] || bench_stop "$run_pid"'
[ -n "${BENCH_OVAFLOW:-}" ] || bench_build
ova_dir="${BENCH_OVA_DIR:-$tmp/ovas}"
mkdir -p "$ova_dir"

now() { date +%s.%N; }

# generate NAME VIRTUAL_GIB DATA_MIB: $ova_dir/NAME.ova (kept when it is there already)
generate() {
  local name=$1 virtual_gib=$2 data_mib=$3
  [ -f "$ova_dir/$name.ova" ] && return 0
  echo "bench: generating $name.ova: ${virtual_gib} GiB virtual, ${data_mib} MiB of data..." >&2
  bench_vmdk_ova "$ova_dir/$name.ova" "$name" "Whole $name" "$((virtual_gib * 1024))" "$data_mib"
}

# the pipeline, fresh for each size: its store is where the naive script writes too
start_pipeline() {
  local data="$tmp/data-$1"
  OVAFLOW_JAVA_OPTS="-Xmx256m -Xlog:gc,gc+heap+exit:file=$tmp/gc-$1.log" \
    "$ovaflow" run --data-dir "$data" --http-port 0 "${@:2}" >"$tmp/run-$1.log" 2>&1 &
  run_pid=$!
  http=""
  for _ in $(seq 1 $((2 * ${BENCH_START_S:-600}))); do
    kill -0 "$run_pid" 2>/dev/null || { cat "$tmp/run-$1.log" >&2; echo "bench: ovaflow run stopped" >&2; exit 2; }
    if [ -f "$data/endpoints.properties" ]; then
      http="$(sed -n 's/^http=//p' "$data/endpoints.properties" | sed 's/\\:/:/g')"
      [ -n "$http" ] && curl -fsS "$http/health" >/dev/null 2>&1 && break
    fi
    sleep 0.5
  done
  [ -n "$http" ] || { cat "$tmp/run-$1.log" >&2; echo "bench: ovaflow run did not come up" >&2; exit 2; }
  kafka="$(sed -n 's/^kafka=//p' "$data/endpoints.properties" | sed 's/\\:/:/g')"
  s3="$(sed -n 's/^s3=//p' "$data/endpoints.properties" | sed 's/\\:/:/g')"
  export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
  AWS_ACCESS_KEY_ID="$(sed -n 's/^s3.access-key=//p' "$data/endpoints.properties")"
  AWS_SECRET_ACCESS_KEY="$(sed -n 's/^s3.secret-key=//p' "$data/endpoints.properties")"
}

# the naive script: prints its seconds
naive() {
  local ova=$1 name=$2 work="$tmp/naive-$2" start
  export AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE="$tmp/aws-config"
  printf '[default]\ns3 =\n    addressing_style = path\n' >"$AWS_CONFIG_FILE"
  aws --endpoint-url "$s3" s3 mb "s3://naive-$name" >/dev/null 2>&1 || true
  cat "$ova" >/dev/null
  sync
  start=$(now)
  mkdir -p "$work"
  tar -xf "$ova" -C "$work"
  (cd "$work" && "$py" -c '
import hashlib, re, sys
for line in open(sys.argv[1]):
    m = re.match(r"SHA256\((.+)\)= *([0-9a-f]{64})", line.strip())
    if not m:
        continue
    h = hashlib.sha256()
    with open(m.group(1), "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    if h.hexdigest() != m.group(2):
        sys.exit(m.group(1) + ": digest mismatch")
' "$name.mf")
  xmllint --noout "$work/$name.ovf"
  qemu-img convert -f vmdk -O qcow2 "$work/$name-disk1.vmdk" "$work/$name-disk1.qcow2"
  aws --endpoint-url "$s3" s3 cp --only-show-errors "$ova" "s3://naive-$name/$(basename "$ova")"
  # each extracted file removed once it is up, so that the large size fits beside its copies in the store
  for f in "$work/$name-disk1.vmdk" "$work/$name-disk1.qcow2" "$work/$name.ovf"; do
    aws --endpoint-url "$s3" s3 cp --only-show-errors "$f" "s3://naive-$name/$(basename "$f")"
    rm -f "$f"
  done
  echo "$(now) - $start" | bc
  rm -rf "$work"
}

# sum of a counter's series over every stage, for one op ("" for none such)
metric_sum() {
  curl -fsS "$http/metrics" | "$py" -c '
import re, sys
name, op = sys.argv[1], sys.argv[2]
total = 0.0
for line in sys.stdin:
    if line.startswith(name + "{") and ("op=\"" + op + "\"") in line:
        total += float(line.rsplit(" ", 1)[1])
print(int(total))
' "$1" "$2"
}

# median of the numbers given
median() {
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# one run of both sides on $ova ($size, $ova_bytes bytes, run $run of $runs): a row of the table, and the two
# times for the medians
one_run() {
  echo "bench: $size.ova is $ova_bytes bytes, run $run of $runs; starting ovaflow run (embedded Kafka and S3, -Xmx256m) $*" >&2
  start_pipeline "$size" "$@"
  cat "$ova" >/dev/null
  sync
  start=$(now)
  "$ovaflow" import --data-dir "$tmp/data-$size" "$ova" --wait --timeout "${BENCH_TIMEOUT:-PT30M}" \
    >"$tmp/import-$size.log" 2>&1 || { cat "$tmp/import-$size.log" >&2; echo "bench: the import failed" >&2; exit 2; }
  waited=$(echo "$(now) - $start" | bc)
  grep -q PUBLISHED "$tmp/import-$size.log" || { cat "$tmp/import-$size.log" >&2; echo "bench: not published" >&2; exit 2; }
  # the stages' times from ova.status (the statuses of this run's only import)
  stages=$(kcat -b "$kafka" -C -t ova.status -o beginning -e -q -f '%s\n' 2>/dev/null | "$py" -c '
import json, sys
from datetime import datetime
start = float(sys.argv[1])
def stamp(text):
    # an Instant: up to nine digits of fraction, which fromisoformat does not take
    whole, _, fraction = text.rstrip("Z").partition(".")
    return datetime.fromisoformat(whole + "+00:00").timestamp() + float("0." + (fraction or "0"))
at = {}
for line in sys.stdin:
    line = line.strip()
    if not line.startswith("{"):
        continue
    e = json.loads(line)
    at.setdefault(e["state"], stamp(e["at"]))
order = ["ARRIVED", "VERIFIED", "VALIDATED", "TRANSCODED", "PUBLISHED"]
names = {"VERIFIED": "checksum", "VALIDATED": "schema", "TRANSCODED": "transcode", "PUBLISHED": "publish"}
parts = ["drop %.1f" % (at["ARRIVED"] - start)]
for before, after in zip(order, order[1:]):
    parts.append("%s %.1f" % (names[after], at[after] - at[before]))
print("%.1f|%s" % (at["PUBLISHED"] - start, ", ".join(parts)))
' "$start")
  total=${stages%%|*}
  per_stage=${stages#*|}
  get=$(metric_sum ovaflow_store_bytes_total get)
  put=$(metric_sum ovaflow_store_bytes_total put)
  copy=$(metric_sum ovaflow_store_bytes_total copy)
  requests=$(curl -fsS "$http/metrics" | "$py" -c '
import sys
print(int(sum(float(l.rsplit(" ", 1)[1]) for l in sys.stdin if l.startswith("ovaflow_store_requests_total{"))))')
  bench_stop "$run_pid"
  run_pid=""
  # the store's copies of the OVA go before the naive script makes its own (the large size needs ~40 GB each)
  rm -rf "$tmp/data-$size"
  # peak heap (MiB): the largest "before" of the collections and the heap used at exit
  heap=$( { grep -o '[0-9]*M->' "$tmp/gc-$size.log" | tr -d 'M>-' || true
            grep -o 'heap *total [0-9]*K, used [0-9]*K' "$tmp/gc-$size.log" | grep -o '[0-9]*K$' \
              | tr -d K | awk '{print int($1/1024)}' || true; } | sort -n | tail -1)
  start_pipeline "$size-naive" --stages none
  echo "bench: the naive script on $size.ova..." >&2
  naive_s=$(naive "$ova" "$size")
  bench_stop "$run_pid"
  run_pid=""
  rm -rf "$tmp/data-$size-naive"
  moved=$(echo "scale=2; ($ova_bytes + $get + $put + $copy) / $ova_bytes" | bc)
  table+=("$(printf '%s|%s|%s|%s|%.2f|%s|%s|%s|%s' "$size" "$ova_bytes" "$total" "$naive_s" \
    "$(echo "$total / $naive_s" | bc -l)" "${heap:-?}" "$moved" \
    "put $(echo "scale=2; ($ova_bytes + $put) / $ova_bytes" | bc), get $(echo "scale=2; $get / $ova_bytes" | bc), copy $(echo "scale=2; $copy / $ova_bytes" | bc), $requests requests" \
    "$per_stage (import --wait $waited s)")")
  ovaflow_times+=("$total")
  naive_times+=("$(printf '%.1f' "$naive_s")")
}

declare -a table
runs="${BENCH_RUNS:-1}"
for size in $sizes; do
  if [ "$size" = small ]; then generate small 4 1024; else generate large 32 8192; fi
  ova="$ova_dir/$size.ova"
  ova_bytes=$(stat -c %s "$ova")
  ovaflow_times=()
  naive_times=()
  for run in $(seq "$runs"); do
    one_run "$@"
  done
  if [ "$runs" -gt 1 ]; then
    ovaflow_median=$(median "${ovaflow_times[@]}")
    naive_median=$(median "${naive_times[@]}")
    table+=("$(printf '%s|%s|%s|%s|%.2f|||%s|' "$size" "median" "$ovaflow_median" "$naive_median" \
      "$(echo "$ovaflow_median / $naive_median" | bc -l)" "of $runs runs: ovaflow ${ovaflow_times[*]} s, naive ${naive_times[*]} s")")
  fi
done

printf '\n%-6s %14s %12s %10s %6s %9s %13s  %s\n' size "OVA bytes" "ovaflow (s)" "naive (s)" ratio "heap MiB" "moved/OVA B" \
  "store bytes per OVA byte (drop included) | ARRIVED → PUBLISHED by stage"
for row in "${table[@]}"; do
  IFS='|' read -r size bytes total naive_s ratio heap moved ops per_stage <<<"$row"
  printf '%-6s %14s %12s %10.1f %6s %9s %13s  %s | %s\n' "$size" "$bytes" "$total" "$naive_s" "$ratio" "$heap" "$moved" \
    "$ops" "$per_stage"
done
