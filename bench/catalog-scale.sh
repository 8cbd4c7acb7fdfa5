#!/usr/bin/env bash
# What publishing costs as the catalog grows: for each size, a fresh embedded store with that many synthetic small
# entries written through the publish classes (appliance.json, marker, one signed index rebuild), then batches of
# 100 more published the same way; prints, per batch of 100 (mean of 3 after a warm-up batch), the store requests
# (by method), the bytes sent and received, and the wall time (median). Goal: flat within 1.2x from 1,000 to 100,000.
#
#   bench/catalog-scale.sh [SIZE...]           sizes in entries (1000 10000 100000)
#
# Environment: BENCH_SKIP_BUILD=1 (use the jars and test classes as built), MAVEN_OPTS_BENCH (extra mvn arguments,
# e.g. -o), BENCH_HEAP (the driver's -Xmx, 2g).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_build
sizes=("$@")
[ "${#sizes[@]}" -gt 0 ] || sizes=(1000 10000 100000)
exec java -Xmx"${BENCH_HEAP:-2g}" -cp "$(bench_test_cp)" \
  -Dlogback.configurationFile=app/target/test-classes/logback-test.xml \
  org.ovaflow.app.bench.CatalogScaleBench "${sizes[@]}"
