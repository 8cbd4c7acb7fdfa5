#!/usr/bin/env bash
# Upload benchmark: `ovaflow import` against `aws s3 cp` of the same file into the same store, side by side.
#
#   bench/upload.sh                 run from the repository root
#
# Starts `./ovaflow run --stages none` (embedded Kafka and S3 only, -Xmx256m, a fresh temporary data dir), makes
# a file of BENCH_GIB (1) GiB of incompressible bytes named bench.ova, then puts it into the incoming bucket
# BENCH_RUNS (3) times with each contender, alternating, each after a `sync` (so that no upload pays for writing
# back the one before): `aws s3 cp` (its defaults: 8 MiB parts, 10 at once, payload signed over plain HTTP),
# `ovaflow import` (its defaults) and `ovaflow import -D ovaflow.store.payload-signing=signed` (what it did
# before: the MinIO client's signed payloads). Nothing consumes the bucket (no stages run). Prints each
# contender's best wall time, its ratio to aws, and the CPU seconds a GiB it cost the store's process (from
# /proc, the median of the runs) and the client (user + system). BENCH_VARIANTS adds contenders: a
# space-separated list of contenders, each `-D` settings for import joined by commas, e.g.
# "ovaflow.store.parallel-parts=1 ovaflow.store.part-size-mib=64,ovaflow.store.parallel-parts=2".
#
# BENCH_BEFORE_JAR=path/to/ovaflow.jar (its lib/ beside it) adds that build's import as the contender "before".
#
# Environment: BENCH_RUNS (3), BENCH_GIB (1), BENCH_VARIANTS, BENCH_BEFORE_JAR, BENCH_SKIP_BUILD=1, TMPDIR (needs
# 5 x BENCH_GIB free).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

runs="${BENCH_RUNS:-3}"
gib="${BENCH_GIB:-1}"
command -v aws >/dev/null || { echo "bench: the aws CLI is missing" >&2; exit 2; }
bench_tmp upload
run_pid=""
bench_on_exit '[ -z "$run_pid" ] || bench_stop "$run_pid"'
bench_build

echo "bench: generating a ${gib} GiB file..." >&2
file="$tmp/bench.ova"
# AES-CTR over zeros: incompressible bytes much faster than /dev/urandom
openssl enc -aes-128-ctr -nosalt -pass pass:ovaflow -in <(head -c "${gib}G" /dev/zero) -out "$file" 2>/dev/null
bytes=$(stat -c %s "$file")

echo "bench: starting ovaflow run --stages none (data in $tmp/data)" >&2
OVAFLOW_JAVA_OPTS="-Xmx256m" ./ovaflow run --data-dir "$tmp/data" --stages none --http-port -1 >"$tmp/run.log" 2>&1 &
run_pid=$! # the launcher execs java: this is the store's process
for _ in $(seq 1 240); do
  kill -0 "$run_pid" 2>/dev/null || { cat "$tmp/run.log" >&2; echo "bench: ovaflow run stopped" >&2; exit 2; }
  [ -f "$tmp/data/endpoints.properties" ] && grep -q '^s3=' "$tmp/data/endpoints.properties" && break
  sleep 0.5
done
s3="$(sed -n 's/^s3=//p' "$tmp/data/endpoints.properties" | sed 's/\\:/:/g')"
[ -n "$s3" ] || { cat "$tmp/run.log" >&2; echo "bench: ovaflow run did not come up" >&2; exit 2; }
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
AWS_ACCESS_KEY_ID="$(sed -n 's/^access-key=//p' "$tmp/data/s3/credentials.properties")"
AWS_SECRET_ACCESS_KEY="$(sed -n 's/^secret-key=//p' "$tmp/data/s3/credentials.properties")"
export AWS_CONFIG_FILE="$tmp/aws-config" AWS_SHARED_CREDENTIALS_FILE="$tmp/aws-credentials" # a user's own stay out
: >"$AWS_CONFIG_FILE"
: >"$AWS_SHARED_CREDENTIALS_FILE"
bucket=ova-incoming

contenders=(aws import signed)
declare -A settings=([aws]="" [import]="" [signed]="ovaflow.store.payload-signing=signed" [before]="")
[ -z "${BENCH_BEFORE_JAR:-}" ] || contenders+=(before)
for variant in ${BENCH_VARIANTS:-}; do
  contenders+=("$variant")
  settings[$variant]="${variant//,/ }"
done

store_cpu() { # the store process's CPU time in clock ticks
  awk '{print $14 + $15}' "/proc/$run_pid/stat"
}
ticks=$(getconf CLK_TCK)
upload() { # upload CONTENDER: puts the file, prints "wall client-cpu store-cpu" (seconds)
  local name="$1" before after start end
  local -a args=()
  for setting in ${settings[$name]}; do args+=(-D "$setting"); done
  sync
  before=$(store_cpu)
  start=$(date +%s.%N)
  if [ "$name" = aws ]; then
    /usr/bin/time -f '%U %S' -o "$tmp/time" aws --endpoint-url "$s3" s3 cp --only-show-errors "$file" \
      "s3://$bucket/aws-bench.ova" >"$tmp/client.log" 2>&1 || { cat "$tmp/client.log" >&2; exit 1; }
  elif [ "$name" = before ]; then # as the launcher runs import: the quick compiler alone
    /usr/bin/time -f '%U %S' -o "$tmp/time" java -XX:TieredStopAtLevel=1 -jar "$BENCH_BEFORE_JAR" import \
      --data-dir "$tmp/data" "$file" >"$tmp/client.log" 2>&1 || { cat "$tmp/client.log" >&2; exit 1; }
  else
    /usr/bin/time -f '%U %S' -o "$tmp/time" ./ovaflow import --data-dir "$tmp/data" "${args[@]}" "$file" \
      >"$tmp/client.log" 2>&1 || { cat "$tmp/client.log" >&2; exit 1; }
  fi
  end=$(date +%s.%N)
  sleep 0.2 # the store's last writes of the request
  after=$(store_cpu)
  echo "$(echo "$end - $start" | bc) $(awk '{print $1 + $2}' "$tmp/time") $(echo "($after - $before) / $ticks" | bc -l)"
}

declare -A walls clients stores
for run in $(seq 1 "$runs"); do
  line="bench: run $run:"
  for name in "${contenders[@]}"; do
    read -r wall client store <<<"$(upload "$name")"
    walls[$name]+="$wall "
    clients[$name]+="$client "
    stores[$name]+="$store "
    line+=" $name $(printf '%.2f' "$wall") s (store $(printf '%.1f' "$store") CPU-s),"
  done
  echo "${line%,}" >&2
done

best() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g | head -1; }
median() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g | awk '{v[NR]=$1} END {print v[int((NR + 1) / 2)]}'; }
per_gib() { echo "$1 * 1073741824 / $bytes" | bc -l; }
aws_best=$(best "${walls[aws]}")
printf '\n%-44s %10s %12s %22s %22s\n' contender 'best s' 'ratio to aws' 'store CPU-s a GiB' 'client CPU-s a GiB'
for name in "${contenders[@]}"; do
  label="$name"
  [ "$name" = aws ] && label="aws s3 cp"
  [ "$name" = import ] && label="ovaflow import"
  [ "$name" = signed ] && label="ovaflow import, payload signed"
  [ "$name" = before ] && label="ovaflow import, BENCH_BEFORE_JAR"
  case "$name" in aws | import | signed | before) ;; *) label="ovaflow import -D $name" ;; esac
  printf '%-44s %10.2f %12.2f %22.2f %22.2f\n' "$label" "$(best "${walls[$name]}")" \
    "$(echo "$(best "${walls[$name]}") / $aws_best" | bc -l)" "$(per_gib "$(median "${stores[$name]}")")" \
    "$(per_gib "$(median "${clients[$name]}")")"
done
echo "(best wall of $runs runs, CPU the median; a $(du -m "$file" | cut -f1) MiB file into ./ovaflow run's embedded store" \
  "on 127.0.0.1; $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg))"
