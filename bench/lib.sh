# shellcheck shell=bash
# What every bench script does first, sourced by each: `. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"`.
#
#   bench_tmp NAME          makes the run's temporary folder ($tmp, under TMPDIR), removed when the script ends
#   bench_on_exit 'CMD'     runs CMD when the script ends (success, failure or Ctrl-C), before $tmp is removed
#   bench_stop PID...       stops processes the script started: TERM, up to 30 s to finish, then KILL
#   bench_build             `mvn package` with tests compiled, not run, unless BENCH_SKIP_BUILD=1
#                           (MAVEN_OPTS_BENCH: extra mvn arguments, e.g. -o)
#   bench_test_cp           the class path of app's test helpers (the bench drivers) and the shipped jars
#
# It sets -euo pipefail, goes to the repository root and makes Ctrl-C and TERM end the script through its EXIT
# handlers, so that nothing a bench started outlives it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

tmp=""
_bench_exit_cmds=()
_bench_on_exit() {
  local cmd
  for cmd in "${_bench_exit_cmds[@]}"; do eval "$cmd" || true; done
  if [ -n "$tmp" ]; then rm -rf "$tmp"; fi
}
trap _bench_on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bench_on_exit() { _bench_exit_cmds+=("$1"); }

bench_tmp() {
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/ovaflow-$1.XXXXXX")"
}

bench_stop() {
  local pid alive
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 60); do
    alive=0
    for pid in "$@"; do if kill -0 "$pid" 2>/dev/null; then alive=1; fi; done
    [ "$alive" = 1 ] || break
    sleep 0.5
  done
  for pid in "$@"; do
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}

bench_build() {
  [ "${BENCH_SKIP_BUILD:-}" != 1 ] || return 0
  echo "bench: building (mvn package, tests compiled, not run)..." >&2
  local log
  log="$(mktemp "${TMPDIR:-/tmp}/ovaflow-bench-build.XXXXXX")"
  # shellcheck disable=SC2086
  if ! mvn -B -q -DskipTests ${MAVEN_OPTS_BENCH:-} package >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; exit 2
  fi
  rm -f "$log"
}

bench_test_cp() {
  echo "app/target/test-classes:core/target/test-classes:app/target/ovaflow.jar:app/target/lib/*"
}
