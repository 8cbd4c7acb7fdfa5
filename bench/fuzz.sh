#!/usr/bin/env bash
# Coverage-guided fuzzing (Jazzer) of ovaflow's parsers, one target at a time.
#
#   bench/fuzz.sh                 lists the targets
#   bench/fuzz.sh TARGET MINUTES  fuzzes TARGET for MINUTES (decimals allowed: 0.5), from the repository root
#   bench/fuzz.sh seeds           regenerates the committed seeds: disk images made by qemu-img, OVAs, manifests,
#                                 certificate files and descriptors written by validate's FuzzSeeds
#
# Runs the target's @FuzzTest method with JAZZER_FUZZ=1 under surefire: Jazzer starts from the committed seeds
# (src/test/resources/<package>/<Class>Inputs/<method>/) and its own corpus (<module>/.cifuzz-corpus/, not
# committed), and stops at the first finding or after MINUTES. A finding is any exception other than the
# target's named rejections, a failed assertion (allocation above the target's limit included), a hang (one
# input taking more than BENCH_FUZZ_TIMEOUT s), an OutOfMemoryError (heap BENCH_FUZZ_HEAP) or a process above
# BENCH_FUZZ_RSS_MB. Jazzer writes the input as crash-<sha1> into the seed directory, where the normal build
# runs it as a regression test from then on. Prints the executions, the corpus size and the findings at the end.
#
# The build is part of the run (a surefire run of the target's module, offline); there is no BENCH_SKIP_BUILD.
# Environment: BENCH_FUZZ_HEAP (512m), BENCH_FUZZ_RSS_MB (2048), BENCH_FUZZ_TIMEOUT (10).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# target: module, test class (fully qualified), method
declare -A module class method
add() { module[$1]=$2; class[$1]=$3; method[$1]=$4; }
add tar       validate  org.ovaflow.validate.fuzz.JazzerFuzzTest       tarWalk
add manifest  validate  org.ovaflow.validate.fuzz.JazzerFuzzTest       manifest
add cert      validate  org.ovaflow.validate.fuzz.JazzerFuzzTest       certificateFile
add ovf       validate  org.ovaflow.validate.fuzz.JazzerFuzzTest       descriptor
add probe     validate  org.ovaflow.validate.fuzz.JazzerFuzzTest       diskProbe
add disk      disk      org.ovaflow.disk.fuzz.DiskReaderFuzzTest   readWholeImage
targets="tar manifest cert ovf probe disk"
# what Jazzer instruments for coverage beyond ovaflow's own classes: the tar headers are Commons Compress's
declare -A instrument=([tar]="org.ovaflow.**:org.apache.commons.compress.archivers.tar.**")

inputs_dir() { # the seed directory of a target, where jazzer-junit also puts its findings
  local cls=${class[$1]}
  echo "${module[$1]}/src/test/resources/$(echo "${cls%.*}" | tr . /)/${cls##*.}Inputs/${method[$1]}"
}

usage() {
  echo "usage: bench/fuzz.sh TARGET MINUTES | bench/fuzz.sh seeds" >&2
  printf '%-9s %-10s %s\n' target module method >&2
  for t in $targets; do
    printf '%-9s %-10s %s#%s  (%s seeds)\n' "$t" "${module[$t]}" "${class[$t]##*.}" "${method[$t]}" \
      "$(find "$(inputs_dir "$t")" -type f 2>/dev/null | wc -l)" >&2
  done
}

make_disk_seeds() {
  command -v qemu-img >/dev/null || { echo "bench: qemu-img is missing (apt-get install -y qemu-utils)" >&2; exit 2; }
  bench_tmp seeds
  # 1 MiB with data in the first 64 KiB only (one grain, one cluster): small images, every reader's data path
  truncate -s 1M "$tmp/disk.raw"
  head -c 1024 /dev/urandom | dd of="$tmp/disk.raw" conv=notrunc status=none
  (yes "ovaflow fuzz seed: text as disks hold it" || true) | head -c 2048 \
    | dd of="$tmp/disk.raw" bs=1 seek=8192 conv=notrunc status=none
  truncate -s 128K "$tmp/small.raw"
  dd if="$tmp/disk.raw" of="$tmp/small.raw" bs=4096 count=3 conv=notrunc status=none
  local out="$tmp/seeds"; mkdir "$out"
  qemu-img convert -f raw -O vmdk -o subformat=streamOptimized "$tmp/disk.raw" "$out/stream-optimized.vmdk"
  qemu-img convert -f raw -O vmdk -o subformat=monolithicSparse "$tmp/disk.raw" "$out/monolithic-sparse.vmdk"
  qemu-img convert -f raw -O vmdk -o subformat=monolithicFlat "$tmp/small.raw" "$tmp/flat.vmdk"
  cp "$tmp/flat.vmdk" "$out/descriptor.vmdk" # the descriptor alone: the target resolves its extent itself
  qemu-img convert -f raw -O qcow2 -o cluster_size=4096 "$tmp/disk.raw" "$out/v3.qcow2"
  qemu-img convert -f raw -O qcow2 -o compat=0.10,cluster_size=4096 -c "$tmp/disk.raw" "$out/v2-compressed.qcow2"
  qemu-img create -q -f qcow2 -o cluster_size=4096 -b v3.qcow2 -F qcow2 "$out/backing.qcow2"
  qemu-img create -q -f vpc "$out/dynamic-empty.vhd" 4M
  qemu-img convert -f raw -O vpc -o subformat=fixed,force_size=on "$tmp/small.raw" "$out/fixed.vhd"
  cp "$tmp/small.raw" "$out/small.raw"
  gzip -9nc "$out/stream-optimized.vmdk" >"$out/stream-optimized.vmdk.gz"
  qemu-img create -q -f vdi "$out/unsupported.vdi" 1M
  for t in probe disk; do
    mkdir -p "$(inputs_dir "$t")"
    cp "$out"/* "$(inputs_dir "$t")/"
  done
  rm -f "$(inputs_dir disk)/unsupported.vdi"
  echo "bench: disk seeds written to $(inputs_dir probe) and $(inputs_dir disk)" >&2
  echo "bench: writing the OVA, manifest, certificate and descriptor seeds (validate's FuzzSeeds)..." >&2
  mvn -B -o -q test-compile dependency:build-classpath -pl validate -am -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/test.classpath >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; exit 2; }
  java -cp "validate/target/test-classes:validate/target/classes:$(cat validate/target/test.classpath)" \
    org.ovaflow.validate.fuzz.FuzzSeeds validate/src/test/resources
}

if [ $# -eq 0 ]; then usage; exit 0; fi
if [ "$1" = seeds ]; then make_disk_seeds; exit 0; fi
[ $# -eq 2 ] || { usage; exit 2; }
target=$1 minutes=$2
[ -n "${module[$target]:-}" ] || { echo "bench: unknown target $target" >&2; usage; exit 2; }
seconds=$(echo "$minutes * 60 / 1" | bc)
[ "$seconds" -gt 0 ] || { echo "bench: MINUTES must be positive" >&2; exit 2; }
heap="${BENCH_FUZZ_HEAP:-512m}"
rss_mb="${BENCH_FUZZ_RSS_MB:-2048}"
timeout_s="${BENCH_FUZZ_TIMEOUT:-10}"

dir="$(inputs_dir "$target")"
mkdir -p "$dir"
before="$(mktemp)"; log="$(mktemp "${TMPDIR:-/tmp}/ovaflow-fuzz-$target.XXXXXX")"
bench_on_exit 'rm -f "$before"'
find "$dir" -maxdepth 1 -type f -name 'crash-*' -o -maxdepth 1 -type f -name 'timeout-*' \
  -o -maxdepth 1 -type f -name 'oom-*' | sort >"$before"

echo "bench: fuzzing $target (${class[$target]##*.}#${method[$target]}) for $seconds s; heap $heap," \
  "rss limit $rss_mb MiB, $timeout_s s per input; log in $log" >&2
# libFuzzer flags go through jazzer.internal.arg.N, the first being argv[0]; they come after jazzer-junit's own
# (-max_total_time from @FuzzTest's 5m default, -rss_limit_mb=0), and libFuzzer takes the last of each
status=0
JAZZER_FUZZ=1 mvn -B -o -q test -pl "${module[$target]}" -am -Dsurefire.failIfNoSpecifiedTests=false \
  -Dtest="${class[$target]##*.}#${method[$target]}" -Djazzer.hooks=true \
  ${instrument[$target]:+-Djazzer.instrumentation_includes=${instrument[$target]}} \
  -DargLine="-Xmx$heap -XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath=/dev/null" \
  -Djazzer.internal.arg.0=jazzer -Djazzer.internal.arg.1="-max_total_time=$seconds" \
  -Djazzer.internal.arg.2="-rss_limit_mb=$rss_mb" -Djazzer.internal.arg.3="-timeout=$timeout_s" \
  -Djazzer.internal.arg.4="-print_final_stats=1" \
  >"$log" 2>&1 || status=$?

# libFuzzer's last status line: "#123456 DONE cov: 789 ft: 1011 corp: 120/34Kb ..." (or the line of the finding)
last=$(grep -aE '^#[0-9]+' "$log" | tail -1 || true)
execs=$(grep -aoE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1 || true)
[ -n "$execs" ] || execs=$(echo "$last" | grep -oE '^#[0-9]+' | tr -d '#')
find "$dir" -maxdepth 1 -type f -name 'crash-*' -o -maxdepth 1 -type f -name 'timeout-*' \
  -o -maxdepth 1 -type f -name 'oom-*' | sort | comm -13 "$before" - >"$before.new" || true
findings=$(wc -l <"$before.new")

printf '\n%-9s %8s %12s %10s  %s\n' target seconds executions findings last-status
printf '%-9s %8s %12s %10s  %s\n' "$target" "$seconds" "${execs:-?}" "$findings" "$(echo "$last" | cut -c1-90)"
if [ "$findings" -gt 0 ]; then
  echo "findings (kept as regression inputs; the normal build fails on them until fixed):"
  sed 's/^/  /' "$before.new"
  grep -aE '^== Java Exception|^(java|org|com)\.[A-Za-z.$]+(Exception|Error)|^\s+at org\.ovaflow' "$log" | head -15
fi
rm -f "$before.new"
if [ "$status" -ne 0 ] && [ "$findings" -eq 0 ]; then
  echo "bench: the run failed without a finding; see $log" >&2
  tail -30 "$log" >&2
  exit 1
fi
[ "$findings" -eq 0 ]
