#!/usr/bin/env bash
# Inspection benchmark: `ovaflow inspect` against plain hashing of the same OVA, side by side.
#
#   bench/inspect.sh              run from the repository root
#
# Builds an OVA holding a BENCH_GIB (4) GiB disk of incompressible data with a SHA256 manifest, then times,
# BENCH_RUNS (3) times each and alternating, from the page cache: `openssl dgst -sha256` (SHA-NI
# instructions), `sha256sum` (coreutils) and `./ovaflow inspect` (-Xmx256m), which walks the tar, hashes the
# whole file and every entry (the whole OVA's sha256 for the catalog, each entry's for the manifest), and
# checks the descriptor. Prints the best time of each, inspect's ratio to each and its peak heap.
# BENCH_BEFORE_JAR=path/to/ovaflow.jar (its lib/ beside it) adds that build's inspect as "inspect-before", run the
# same way, for a before/after comparison in one run.
#
# Environment: BENCH_RUNS (3), BENCH_GIB (4), BENCH_BEFORE_JAR, BENCH_SHA256SUM=0 (leaves sha256sum out),
# BENCH_SKIP_BUILD=1, TMPDIR (needs 2 x BENCH_GIB free).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

runs="${BENCH_RUNS:-3}"
gib="${BENCH_GIB:-4}"
bench_tmp inspect
bench_build

echo "bench: generating a ${gib} GiB OVA..." >&2
mkdir "$tmp/pkg"
# AES-CTR over zeros: incompressible bytes much faster than /dev/urandom
openssl enc -aes-128-ctr -nosalt -pass pass:ovaflow -in <(head -c "${gib}G" /dev/zero) \
  -out "$tmp/pkg/disk1.img" 2>/dev/null
size=$(stat -c %s "$tmp/pkg/disk1.img")
bench_descriptor "$tmp/pkg" bench Bench disk1.img "$size" "$size" \
  "http://www.vmware.com/interfaces/specifications/vmdk.html#monolithicFlat"
bench_package "$tmp/pkg" "$tmp/bench.ova" bench.ovf disk1.img
rm -rf "$tmp/pkg"
ova="$tmp/bench.ova"
echo "bench: $(du -m "$ova" | cut -f1) MiB OVA" >&2

now() { date +%s.%N; }
best() { # best NAME SECONDS
  local cur="${best_of[$1]:-}"
  if [ -z "$cur" ] || (( $(echo "$2 < $cur" | bc) )); then best_of[$1]=$2; fi
}
declare -A best_of
heap_peak=0
for run in $(seq 1 "$runs"); do
  cat "$ova" >/dev/null # every contender reads from the page cache
  start=$(now); openssl dgst -sha256 "$ova" >/dev/null; best openssl "$(echo "$(now) - $start" | bc)"
  if [ "${BENCH_SHA256SUM:-1}" = 1 ]; then
    start=$(now); sha256sum "$ova" >/dev/null; best sha256sum "$(echo "$(now) - $start" | bc)"
  fi
  start=$(now)
  OVAFLOW_JAVA_OPTS="-Xmx256m -Xlog:gc:file=$tmp/gc.log" ./ovaflow inspect "$ova" >"$tmp/inspect.log" \
    || { cat "$tmp/inspect.log" >&2; echo "bench: inspect rejected the benchmark OVA" >&2; exit 1; }
  best inspect "$(echo "$(now) - $start" | bc)"
  if [ -n "${BENCH_BEFORE_JAR:-}" ]; then
    start=$(now)
    java -Xmx256m -jar "$BENCH_BEFORE_JAR" inspect "$ova" >"$tmp/inspect.log" \
      || { cat "$tmp/inspect.log" >&2; echo "bench: inspect-before rejected the benchmark OVA" >&2; exit 1; }
    best inspect-before "$(echo "$(now) - $start" | bc)"
  fi
  heap=$(grep -o '[0-9]*M->' "$tmp/gc.log" | tr -d 'M>-' | sort -n | tail -1)
  [ "${heap:-0}" -gt "$heap_peak" ] && heap_peak=${heap:-0}
  echo "bench: run $run: openssl ${best_of[openssl]} s, sha256sum ${best_of[sha256sum]:-} s," \
    "inspect ${best_of[inspect]} s${BENCH_BEFORE_JAR:+, inspect-before ${best_of[inspect-before]} s} (best so far)" >&2
done

printf '\n%-22s %10s %24s\n' contender seconds 'inspect/contender ratio'
names=(openssl inspect)
[ "${BENCH_SHA256SUM:-1}" != 1 ] || names=(openssl sha256sum inspect)
[ -z "${BENCH_BEFORE_JAR:-}" ] || names+=(inspect-before)
for name in "${names[@]}"; do
  printf '%-22s %10.2f %24.2f\n' "$name" "${best_of[$name]}" \
    "$(echo "${best_of[inspect]} / ${best_of[$name]}" | bc -l)"
done
echo "(best of $runs runs; ${gib} GiB OVA, SHA256 manifest; $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg);" \
  "inspect peak heap ${heap_peak} MiB with -Xmx256m)"
