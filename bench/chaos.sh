#!/usr/bin/env bash
# The chaos suite, long version: the broker and store in one process (ovaflow run --stages none), each stage
# in its own (ovaflow run --stages X), all on 127.0.0.1; IMPORTS OVAs (every 5th corrupt, every 10th with a
# 128 MiB disk) submitted over MINUTES minutes, each notified three times, while a fault hits every 8 s (once an
# import ended after the last one, so that each recovery is its own): a stage killed with SIGKILL and restarted,
# the broker+store process killed and restarted, the store cut off for 30 s, the schema stage's consumer group
# rewound to the start of its topic; poison records on every topic midway.
# Prints the table (submitted, published, quarantined, lost, duplicated, left in staging, poison in ova.dlq,
# stages running, recovery of every fault); exit 0 when nothing was lost or duplicated, 1 otherwise.
#
#   bench/chaos.sh [IMPORTS] [MINUTES] [FAULT_EVERY_S]
#                                   defaults 200, 10 and 8; run from the repository root. FAULT_EVERY_S 0: no fault
#                                   at all, and the run fails if any stage's consumer group rebalanced after the
#                                   first import (each group's epoch is in the table of every run)
#
# Environment: BENCH_SKIP_BUILD=1 (use the jars as built), MAVEN_OPTS_BENCH (extra mvn arguments, e.g. -o).
# The processes' logs stay in the folder the run prints, for a look at what a fault did. However the run ends
# (its table, a failure, Ctrl-C), no process it started is left running.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

imports="${1:-200}"
minutes="${2:-10}"
fault_every="${3:-8}"

bench_build
if [ "$fault_every" = 0 ]; then
  echo "chaos: $imports imports over $minutes min, no faults..." >&2
else
  echo "chaos: $imports imports over $minutes min, a fault every $fault_every s..." >&2
fi

# The suite and the seven processes it starts (the six stages, the broker+store) run in a process group of their
# own (job control: a background job is a group), so that whatever way this script ends (the table printed, a
# failure, Ctrl-C, a SIGTERM) it stops every one of them: SIGTERM to the group, SIGKILL to what is left after 60 s.
set -m
suite=""
stop_all() {
  [ -n "$suite" ] || return 0
  kill -TERM -- "-$suite" 2>/dev/null || return 0
  for _ in $(seq 60); do
    kill -0 -- "-$suite" 2>/dev/null || break
    sleep 1
  done
  if kill -0 -- "-$suite" 2>/dev/null; then
    echo "chaos: processes still running after 60 s, killing them" >&2
    kill -KILL -- "-$suite" 2>/dev/null || true
  fi
  wait "$suite" 2>/dev/null || true
}
bench_on_exit stop_all

# app's logging configuration, named: core's test classes (the test helpers) hold one too
java -cp "$(bench_test_cp)" \
  -Dlogback.configurationFile=app/target/test-classes/logback-test.xml \
  org.ovaflow.app.chaos.ChaosSuite "$imports" "$minutes" "$fault_every" &
suite=$!
status=0
wait "$suite" || status=$?
exit "$status"
