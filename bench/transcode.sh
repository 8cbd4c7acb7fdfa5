#!/usr/bin/env bash
# Disk transcoding benchmark: ovaflow's codecs against qemu-img, side by side on the same input.
#
#   bench/transcode.sh            run from the repository root
#
# Generates a streamOptimized VMDK of 4 GiB virtual size holding ~1 GiB of data (half random, half text, in
# 4 MiB runs spread over the disk; written by qemu-img, as VMware tools write them), then converts it to qcow2,
# VHD (dynamic, qemu's 'vpc') and raw with `qemu-img convert` and with `./ovaflow convert` (-Xmx256m),
# BENCH_RUNS times each, alternating, and prints the best and the median time of each, their ratios ovaflow/qemu-img and
# ovaflow's peak heap (from the GC log). Every ovaflow output is checked equal to the input by `qemu-img compare`.
#
# Environment: BENCH_RUNS (3), BENCH_VIRTUAL_GIB (4), BENCH_DATA_MIB (1024), BENCH_SKIP_BUILD=1,
# BENCH_TARGETS ("qcow2 vhd raw"), TMPDIR (where the images go: needs ~3 GiB free).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

runs="${BENCH_RUNS:-3}"
virtual_gib="${BENCH_VIRTUAL_GIB:-4}"
data_mib="${BENCH_DATA_MIB:-1024}"
targets="${BENCH_TARGETS:-qcow2 vhd raw}"
command -v qemu-img >/dev/null || { echo "bench: qemu-img is missing (apt-get install -y qemu-utils)" >&2; exit 2; }

bench_tmp transcode
bench_build

echo "bench: generating a ${virtual_gib} GiB virtual disk with ${data_mib} MiB of data..." >&2
truncate -s "${virtual_gib}G" "$tmp/source.raw"
head -c 4M /dev/urandom >"$tmp/random.bin"
# (yes ends by SIGPIPE when head has enough: not a failure)
(yes "ovaflow benchmark: a line of a log file as disks hold them, $(date -u +%FT%TZ) 0123456789" || true) \
  | head -c 4M >"$tmp/text.bin"
runs_of_4m=$((data_mib / 4))
stride_mib=$((virtual_gib * 1024 / runs_of_4m))
for i in $(seq 0 $((runs_of_4m - 1))); do
  block="$tmp/random.bin"; [ $((i % 2)) -eq 1 ] && block="$tmp/text.bin"
  dd if="$block" of="$tmp/source.raw" bs=1M seek=$((i * stride_mib)) conv=notrunc status=none
done
qemu-img convert -f raw -O vmdk -o subformat=streamOptimized "$tmp/source.raw" "$tmp/source.vmdk"
rm -f "$tmp/source.raw"
echo "bench: source.vmdk is $(du -m "$tmp/source.vmdk" | cut -f1) MiB on disk" >&2

now() { date +%s.%N; }
declare -A qemu_best ovaflow_best heap_best qemu_times ovaflow_times
for target in $targets; do
  case "$target" in
    qcow2) qemu_fmt=qcow2; ovaflow_fmt=qcow2 ;;
    vhd) qemu_fmt=vpc; ovaflow_fmt=vhd ;;
    raw) qemu_fmt=raw; ovaflow_fmt=raw ;;
    *) echo "bench: unknown target $target" >&2; exit 2 ;;
  esac
  for run in $(seq 1 "$runs"); do
    # both read from the page cache, and neither pays for writing back what the run before it wrote
    cat "$tmp/source.vmdk" >/dev/null
    sync
    start=$(now)
    qemu-img convert -f vmdk -O "$qemu_fmt" "$tmp/source.vmdk" "$tmp/qemu.$target"
    t=$(echo "$(now) - $start" | bc)
    qemu_t=$t
    rm -f "$tmp/qemu.$target"
    sync
    [ -z "${qemu_best[$target]:-}" ] || (( $(echo "$t < ${qemu_best[$target]}" | bc) )) && qemu_best[$target]=$t
    qemu_times[$target]+="$t "

    start=$(now)
    OVAFLOW_JAVA_OPTS="-Xmx256m -Xlog:gc,gc+heap+exit:file=$tmp/gc.log" ./ovaflow convert "$tmp/source.vmdk" \
      "$tmp/ovaflow.$target" --to "$ovaflow_fmt" >"$tmp/convert.log"
    t=$(echo "$(now) - $start" | bc)
    # peak heap (MiB): the largest of the "before" figures of the collections and the heap used at exit (the peak
    # when no collection ran)
    heap=$( { grep -o '[0-9]*M->' "$tmp/gc.log" | tr -d 'M>-' || true
              grep -o 'heap *total [0-9]*K, used [0-9]*K' "$tmp/gc.log" | grep -o '[0-9]*K$' \
                | tr -d K | awk '{print int($1 / 1024)}' || true; } | sort -n | tail -1)
    heap=${heap:-0}
    if [ "$run" -eq 1 ]; then
      qemu-img compare -f vmdk -F "$qemu_fmt" "$tmp/source.vmdk" "$tmp/ovaflow.$target" >/dev/null \
        || { echo "bench: ovaflow's $target differs from the source" >&2; exit 1; }
    fi
    rm -f "$tmp/ovaflow.$target"
    [ -z "${ovaflow_best[$target]:-}" ] || (( $(echo "$t < ${ovaflow_best[$target]}" | bc) )) && ovaflow_best[$target]=$t
    ovaflow_times[$target]+="$t "
    [ "$heap" -gt "${heap_best[$target]:-0}" ] && heap_best[$target]=$heap
    echo "bench: $target run $run: qemu-img $qemu_t s, ovaflow $t s (heap peak ${heap} MiB)" >&2
  done
done

# the middle run (the lower middle of an even count)
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
printf '\n%-8s %10s %12s %6s %12s %14s %6s %10s\n' target qemu_best ovaflow_best ratio qemu_median ovaflow_median \
  ratio heap_MiB
for target in $targets; do
  qm=$(median "${qemu_times[$target]}")
  om=$(median "${ovaflow_times[$target]}")
  printf '%-8s %10.2f %12.2f %6.2f %12.2f %14.2f %6.2f %10s\n' "$target" "${qemu_best[$target]}" \
    "${ovaflow_best[$target]}" "$(echo "${ovaflow_best[$target]} / ${qemu_best[$target]}" | bc -l)" "$qm" "$om" \
    "$(echo "$om / $qm" | bc -l)" "${heap_best[$target]:-0}"
done
echo "(seconds; best and median of $runs runs each; input: ${virtual_gib} GiB virtual, ${data_mib} MiB data," \
  "streamOptimized VMDK; $(nproc) cores; java -Xmx256m)"
