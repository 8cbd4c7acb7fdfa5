#!/usr/bin/env bash
# What one request to the embedded object store costs (client and server in one process, as in 'ovaflow run'):
# CPU and wall milliseconds per PUT, GET, server-side COPY and HEAD of a missing key.
#
#   bench/store-requests.sh [COUNT [BYTES]]   COUNT requests of each kind (1000), after a warm-up round of as many,
#                                             on objects of BYTES (1024)
#
# Environment: BENCH_SKIP_BUILD=1 (use the jars and test classes as built).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
  echo "bench: building (mvn package, tests compiled, not run)..." >&2
  log="$(mktemp)"
  mvn -B -q -DskipTests package >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; exit 2; }
  rm -f "$log"
fi
exec java -cp "app/target/test-classes:app/target/ovaflow.jar:app/target/lib/*" \
  -Dlogback.configurationFile=app/target/test-classes/logback-test.xml \
  org.ovaflow.app.bench.StoreRequestCost "${1:-1000}" "${2:-1024}"
