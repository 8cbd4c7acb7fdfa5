#!/usr/bin/env bash
# What one request to the embedded object store costs (client and server in one process, as in 'ovaflow run'):
# CPU and wall milliseconds per PUT, GET, server-side COPY and HEAD of a missing key.
#
#   bench/store-requests.sh [COUNT [BYTES]]   COUNT requests of each kind (1000), after a warm-up round of as many,
#                                             on objects of BYTES (1024)
#
# Environment: BENCH_SKIP_BUILD=1 (use the jars and test classes as built).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_build
exec java -cp "$(bench_test_cp)" \
  -Dlogback.configurationFile=app/target/test-classes/logback-test.xml \
  org.ovaflow.app.bench.StoreRequestCost "${1:-1000}" "${2:-1024}"
