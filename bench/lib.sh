# shellcheck shell=bash
# What every bench script does first, sourced by each: `. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"`.
#
#   bench_tmp NAME          makes the run's temporary folder ($tmp, under TMPDIR), removed when the script ends
#   bench_on_exit 'CMD'     runs CMD when the script ends (success, failure or Ctrl-C), before $tmp is removed
#   bench_stop PID...       stops processes the script started: TERM, up to 30 s to finish, then KILL
#   bench_build             `mvn package` with tests compiled, not run, unless BENCH_SKIP_BUILD=1
#                           (MAVEN_OPTS_BENCH: extra mvn arguments, e.g. -o)
#   bench_test_cp           the class path of app's test helpers (the bench drivers) and the shipped jars
#   bench_descriptor DIR NAME PRODUCT DISK SIZE CAPACITY FORMAT
#                           DIR/NAME.ovf: a one-VM descriptor whose one disk is the file DISK (SIZE bytes,
#                           CAPACITY bytes virtual, FORMAT the ovf:format URI)
#   bench_package DIR OVA FILE...
#                           OVA: FILE... of DIR (the descriptor first) with a SHA256 manifest, as a ustar tar
#   bench_vmdk_ova OVA NAME PRODUCT VIRTUAL_MIB DATA_MIB
#                           OVA holding one streamOptimized VMDK of VIRTUAL_MIB MiB virtual with DATA_MIB MiB of
#                           incompressible data in 4 MiB runs spread over it (needs qemu-img), kept when it exists
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

bench_descriptor() {
  local dir=$1 name=$2 product=$3 disk=$4 size=$5 capacity=$6 format=$7
  cat >"$dir/$name.ovf" <<OVF
<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
    xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
    xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData">
  <References><File ovf:id="file1" ovf:href="$disk" ovf:size="$size"/></References>
  <DiskSection><Info>Virtual disks</Info>
    <Disk ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:capacity="$capacity" ovf:format="$format"/>
  </DiskSection>
  <NetworkSection><Info>Networks</Info><Network ovf:name="lan"><Description>lan</Description></Network></NetworkSection>
  <VirtualSystem ovf:id="$name">
    <Info>A benchmark appliance</Info>
    <ProductSection><Info>Product</Info><Product>$product</Product><Vendor>ovaflow bench</Vendor><Version>1.0</Version></ProductSection>
    <OperatingSystemSection ovf:id="101"><Info>OS</Info></OperatingSystemSection>
    <VirtualHardwareSection><Info>Hardware</Info>
      <System><vssd:ElementName>Virtual Hardware Family</vssd:ElementName><vssd:InstanceID>0</vssd:InstanceID>
        <vssd:VirtualSystemType>vmx-13</vssd:VirtualSystemType></System>
      <Item><rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits><rasd:ElementName>1 CPU</rasd:ElementName>
        <rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>1</rasd:VirtualQuantity></Item>
      <Item><rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits><rasd:ElementName>512 MB</rasd:ElementName>
        <rasd:InstanceID>2</rasd:InstanceID><rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>512</rasd:VirtualQuantity></Item>
      <Item><rasd:ElementName>SCSI</rasd:ElementName><rasd:InstanceID>3</rasd:InstanceID>
        <rasd:ResourceSubType>lsilogic</rasd:ResourceSubType><rasd:ResourceType>6</rasd:ResourceType></Item>
      <Item><rasd:AddressOnParent>0</rasd:AddressOnParent><rasd:ElementName>disk</rasd:ElementName>
        <rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource><rasd:InstanceID>4</rasd:InstanceID>
        <rasd:Parent>3</rasd:Parent><rasd:ResourceType>17</rasd:ResourceType></Item>
      <Item><rasd:Connection>lan</rasd:Connection><rasd:ElementName>nic</rasd:ElementName>
        <rasd:InstanceID>5</rasd:InstanceID><rasd:ResourceType>10</rasd:ResourceType></Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
OVF
}

bench_package() {
  local dir=$1 ova=$2
  shift 2
  (cd "$dir" && for f in "$@"; do
     echo "SHA256($f)= $(openssl dgst -sha256 -r "$f" | cut -d' ' -f1)"; done >manifest.mf)
  local first=$1
  shift
  mv "$dir/manifest.mf" "$dir/${first%.ovf}.mf"
  # ustar, as OVF asks, unless a file is too large for its size field (8 GiB): then POSIX (pax) headers
  local format=ustar f
  for f in "$@"; do
    [ "$(stat -c %s "$dir/$f")" -le 8589934591 ] || format=posix
  done
  tar --format="$format" -C "$dir" -cf "$ova.part" "$first" "${first%.ovf}.mf" "$@"
  mv "$ova.part" "$ova"
}

bench_vmdk_ova() {
  local ova=$1 name=$2 product=$3 virtual_mib=$4 data_mib=$5
  [ -f "$ova" ] && return 0
  local pkg
  pkg="$(mktemp -d "${TMPDIR:-/tmp}/ovaflow-bench-pkg.XXXXXX")"
  truncate -s "${virtual_mib}M" "$pkg/source.raw"
  # AES-CTR over zeros (incompressible, much faster than /dev/urandom, different for each name) in 4 MiB runs
  openssl enc -aes-128-ctr -nosalt -pass "pass:$name" -in <(head -c "${data_mib}M" /dev/zero) 2>/dev/null \
    | /usr/bin/python3 -c '
import sys
path, virtual, data = sys.argv[1], int(sys.argv[2]) << 20, int(sys.argv[3]) << 20
run = 4 << 20
runs = max(1, data // run)
stride = virtual // runs
with open(path, "r+b") as out:
    for i in range(runs):
        out.seek(i * stride)
        out.write(sys.stdin.buffer.read(run))
' "$pkg/source.raw" "$virtual_mib" "$data_mib"
  qemu-img convert -f raw -O vmdk -o subformat=streamOptimized "$pkg/source.raw" "$pkg/$name-disk1.vmdk"
  rm -f "$pkg/source.raw"
  bench_descriptor "$pkg" "$name" "$product" "$name-disk1.vmdk" "$(stat -c %s "$pkg/$name-disk1.vmdk")" \
    "$((virtual_mib << 20))" "http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"
  bench_package "$pkg" "$ova" "$name.ovf" "$name-disk1.vmdk"
  rm -rf "$pkg"
}
