#!/usr/bin/env bash
# The chaos suite, long version: the broker and store in one process (ovaflow run --stages none), each stage
# in its own (ovaflow run --stages X), all on 127.0.0.1; IMPORTS OVAs (every 5th corrupt, every 10th with a
# 128 MiB disk) submitted over MINUTES minutes, each notified three times, while a fault hits every 8 s: a stage
# killed with SIGKILL and restarted, the broker+store process killed and restarted, the store cut off for 30 s,
# the schema stage's consumer group rewound to the start of its topic; poison records on every topic midway.
# Prints the table (submitted, published, quarantined, lost, duplicated, left in staging, poison in ova.dlq,
# stages running, recovery of every fault); exit 0 when nothing was lost or duplicated, 1 otherwise.
#
#   bench/chaos.sh [IMPORTS] [MINUTES]          defaults 200 and 10; run from the repository root
#
# Environment: BENCH_SKIP_BUILD=1 (use the jars as built), MAVEN_OPTS_BENCH (extra mvn arguments, e.g. -o).
# The processes' logs stay in the folder the run prints, for a look at what a fault did.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

imports="${1:-200}"
minutes="${2:-10}"

if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
  echo "chaos: building (mvn package, tests compiled, not run)..." >&2
  log="$(mktemp "${TMPDIR:-/tmp}/ovaflow-chaos-build.XXXXXX")"
  # shellcheck disable=SC2086
  mvn -B -q -DskipTests ${MAVEN_OPTS_BENCH:-} package >"$log" 2>&1 || { cat "$log" >&2; exit 2; }
  rm -f "$log"
fi
echo "chaos: $imports imports over $minutes min, a fault every 8 s..." >&2
# app's logging configuration, named: core's test classes (the test helpers) hold one too
exec java -cp "app/target/test-classes:core/target/test-classes:app/target/ovaflow.jar:app/target/lib/*" \
  -Dlogback.configurationFile=app/target/test-classes/logback-test.xml \
  org.ovaflow.app.chaos.ChaosSuite "$imports" "$minutes"
