#!/usr/bin/env bash
# Throughput benchmark: N good OVAs (1 MiB each, each its own catalog entry) dropped at once into a fresh
# embedded pipeline; waits until every one is published and prints imports/s, latency and where the time goes.
#
#   bench/onboard.sh [-D key=value ...]        run from the repository root; -D options go to 'ovaflow run'
#
# Environment: BENCH_COUNT (1000), BENCH_BYTES (1048576), BENCH_UPLOADERS (16), BENCH_TIMEOUT_S (600, the wait
# for publication), BENCH_WARMUP (0: OVAs of a first round, dropped and published the same way before the
# measured one, so that it measures the pipeline once its JVM compiled its code rather than while it does; the
# warm-up's entries stay in the catalog), BENCH_SKIP_BUILD=1 (use the jars as built), MAVEN_OPTS_BENCH (extra mvn
# arguments, e.g. -o).
# Everything runs on 127.0.0.1 under a temporary folder that is removed at the end, with the pipeline.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

count="${BENCH_COUNT:-1000}"
bytes="${BENCH_BYTES:-1048576}"
uploaders="${BENCH_UPLOADERS:-16}"
wait_s="${BENCH_TIMEOUT_S:-600}"
warmup="${BENCH_WARMUP:-0}"

bench_tmp bench
run_pid=""
bench_on_exit '[ -z "$run_pid" ] || bench_stop "$run_pid"'
bench_build
bench() {
  timeout "$1" java -cp "$(bench_test_cp)" -Dlogback.configurationFile=app/target/test-classes/logback-test.xml \
    org.ovaflow.app.bench.OnboardBench "${@:2}"
}

echo "bench: generating $count OVAs of $bytes bytes..." >&2
bench 300 generate "$tmp/ovas" "$count" "$bytes" "$warmup"
if [ "$warmup" -gt 0 ]; then
  bench 300 generate "$tmp/warmup" "$warmup" "$bytes" 0
fi

echo "bench: starting ovaflow run (embedded Kafka and S3, data in $tmp/data) $*" >&2
./ovaflow run --data-dir "$tmp/data" --http-port 0 "$@" >"$tmp/run.log" 2>&1 &
run_pid=$!
http=""
for _ in $(seq 1 240); do
  kill -0 "$run_pid" 2>/dev/null || { cat "$tmp/run.log" >&2; echo "bench: ovaflow run stopped" >&2; exit 2; }
  if [ -f "$tmp/data/endpoints.properties" ]; then
    http="$(sed -n 's/^http=//p' "$tmp/data/endpoints.properties" | sed 's/\\:/:/g')"
    [ -n "$http" ] && curl -fsS "$http/health" >/dev/null 2>&1 && break
  fi
  sleep 0.5
done
[ -n "$http" ] || { cat "$tmp/run.log" >&2; echo "bench: ovaflow run did not come up" >&2; exit 2; }

if [ "$warmup" -gt 0 ]; then
  echo "bench: warm-up round: dropping $warmup OVAs, waiting for publication..." >&2
  bench "$((wait_s + 300))" drop "$tmp/data" "$tmp/warmup" "$uploaders" "$wait_s" 2>&1 | sed 's/^/warm-up: /' >&2 \
    || { echo "bench: the warm-up round failed" >&2; exit 2; }
fi
echo "bench: dropping $count OVAs with $uploaders uploaders, waiting for publication..." >&2
status=0
# the launcher execs java: its process id is the pipeline's, whose CPU the helper reads from /proc
bench "$((wait_s + 300))" drop "$tmp/data" "$tmp/ovas" "$uploaders" "$wait_s" "$run_pid" || status=$?
if grep -q ' ERROR ' "$tmp/run.log"; then
  echo "bench: errors in the pipeline's log:" >&2
  grep ' ERROR ' "$tmp/run.log" | head -5 >&2
fi
exit "$status"
