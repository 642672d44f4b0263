#!/usr/bin/env bash
# Crash-failover latency and idle cost, our host vs keepalived 2.2.7, in throw-away network namespaces.
#
#   sudo benchmarks/failover/run.sh [REPETITIONS] > results.md
#
# IDLE_WARMUP and IDLE_SECONDS (default 10 and 30) set the idle measurement's warm-up and length (the docs check
# runs one repetition and a few seconds of each). REPETITIONS 0 measures idle cost only. AOT_BINARY=PATH adds a
# NativeAOT-published `vrrp` (dotnet publish src/Vrrp.Host -c Release -r linux-x64 -p:PublishAot=true) to the idle
# table, measured in the same run as the JIT build and keepalived.
# For each implementation and advert interval (VRRPv3, 1 s and 100 ms), a MASTER (priority 102) and a BACKUP (101)
# run in two namespaces joined by a veth pair (documentation addresses only). Each repetition freezes the MASTER
# with SIGSTOP (it stops sending at that instant), notes the time, SIGKILLs it, and measures until the BACKUP's
# notify_master script writes its timestamp; then the MASTER is restarted and preempts back. Prints a Markdown
# table: median, p95, the RFC bound (Master_Down_Interval) and the ratio ours/keepalived. Then the idle CPU and RSS
# of one process running 100 MASTER instances at 100 ms adverts, ours vs keepalived.
# Everything it creates is removed on exit, also on failure.
set -euo pipefail
REPS=${1:-20}
IDLE_WARMUP=${IDLE_WARMUP:-10}
IDLE_SECONDS=${IDLE_SECONDS:-30}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/vrrp-failover-XXXXXX)
NS1=vbench1-$$ NS2=vbench2-$$
PIDS=()

cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done
  for ns in "$NS1" "$NS2"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
# A signal (a timeout, Ctrl+C) ends the script through its EXIT trap, so what it created is removed; long waits are
# `sleep & wait` so the signal is handled at once rather than after the sleep.
trap 'exit 143' TERM INT HUP

[ "$(id -u)" = 0 ] || { echo "run as root (namespaces, raw sockets)" >&2; exit 2; }
command -v keepalived >/dev/null || { echo "apt-get install keepalived" >&2; exit 2; }

dotnet build "$ROOT/src/Vrrp.Host" -c Release -nologo -v:q >/dev/null
VRRP_DLL="$ROOT/src/Vrrp.Host/bin/Release/net10.0/vrrp.dll"
DOTNET=$(command -v dotnet)

ip netns add "$NS1"; ip netns add "$NS2"
ip -n "$NS1" link add veth1 type veth peer name veth2 netns "$NS2"
ip -n "$NS1" addr add 192.0.2.1/24 dev veth1; ip -n "$NS2" addr add 192.0.2.2/24 dev veth2
for ns in "$NS1" "$NS2"; do ip -n "$ns" link set lo up; done
ip -n "$NS1" link set veth1 up; ip -n "$NS2" link set veth2 up

now() { date +%s.%N; }

# config NODE STATE PRIORITY INTERVAL NOTIFYDIR [INSTANCES]
config() {
  local node=$1 state=$2 prio=$3 int=$4 dir=$5 count=${6:-1} peer if
  [ "$node" = 1 ] && { peer=2; if=veth1; } || { peer=1; if=veth2; }
  printf 'global_defs {\n    router_id node%s\n}\n' "$node"
  for vrid in $(seq 1 "$count"); do
    cat <<CONF
vrrp_instance VI_$vrid {
    state $state
    interface $if
    virtual_router_id $vrid
    priority $prio
    advert_int $int
    version 3
    unicast_src_ip 192.0.2.$node
    unicast_peer {
        192.0.2.$peer
    }
    virtual_ipaddress {
        192.0.2.$((100 + vrid))/24
    }
CONF
    if [ -n "$dir" ]; then
      printf '    notify_master "%s/stamp.sh %s/master"\n    notify_backup "%s/stamp.sh %s/backup"\n' "$dir" "$dir" "$dir" "$dir"
    fi
    printf '}\n'
  done
}

# start IMPL NS CONF DIR -> echoes pid of the process to signal
start() {
  local impl=$1 ns=$2 conf=$3 dir=$4
  if [ "$impl" = aot ]; then
    ip netns exec "$ns" "$AOT_BINARY" run --config "$conf" --state-file "$dir/state.json" --log-level Warning >"$dir/out" 2>&1 &
    echo $!
  elif [ "$impl" = ours ]; then
    ip netns exec "$ns" "$DOTNET" "$VRRP_DLL" run --config "$conf" --state-file "$dir/state.json" --log-level Warning >"$dir/out" 2>&1 &
    echo $!
  else
    rm -f "$dir"/*.pid
    ip netns exec "$ns" keepalived -n -l -G -P -f "$conf" -p "$dir/main.pid" -r "$dir/vrrp.pid" -c "$dir/check.pid" -b "$dir/bfd.pid" >"$dir/out" 2>&1 &
    echo $!
  fi
}

stop_hard() { # IMPL PID DIR
  if [ "$2" != "" ]; then kill -9 "$2" 2>/dev/null || true; fi
  if [ "$1" = keepalived ]; then for f in "$3"/main.pid "$3"/vrrp.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true; done; rm -f "$3"/*.pid; fi
  wait "$2" 2>/dev/null || true
}

signal_master() { # IMPL PID DIR SIGNAL  (keepalived: the VRRP child sends adverts)
  if [ "$1" = keepalived ]; then kill "-$4" "$(cat "$3/vrrp.pid")" "$(cat "$3/main.pid")" 2>/dev/null || true; else kill "-$4" "$2"; fi
}

wait_file() { # FILE TIMEOUT_S
  local deadline=$(( $(date +%s) + $2 ))
  while [ ! -s "$1" ]; do [ "$(date +%s)" -ge "$deadline" ] && return 1; sleep 0.005; done
}

percentile() { sort -g | awk -v p="$1" '{a[NR]=$1} END {i=int((NR-1)*p+0.5)+1; print a[i]}'; }

declare -A MEDIAN P95
measure() { # IMPL INTERVAL
  local impl=$1 int=$2 d1="$WORK/$1-$2-n1" d2="$WORK/$1-$2-n2" samples="$WORK/$1-$2.samples"
  mkdir -p "$d1" "$d2"; : >"$samples"
  for d in "$d1" "$d2"; do printf '#!/bin/sh\ndate +%%s.%%N >> "$1"\n' >"$d/stamp.sh"; chmod 755 "$d/stamp.sh"; done
  config 1 MASTER 102 "$int" "$d1" >"$d1/conf"; config 2 BACKUP 101 "$int" "$d2" >"$d2/conf"
  local master backup; master=$(start "$impl" "$NS1" "$d1/conf" "$d1"); PIDS+=("$master")
  wait_file "$d1/master" 30 || { echo "$impl: master never became MASTER" >&2; cat "$d1/out" >&2; exit 1; }
  backup=$(start "$impl" "$NS2" "$d2/conf" "$d2"); PIDS+=("$backup")
  wait_file "$d2/backup" 30 || { echo "$impl: backup never became BACKUP" >&2; cat "$d2/out" >&2; exit 1; }
  for rep in $(seq 1 "$REPS"); do
    sleep "$(echo "$int * 3" | bc)" & wait $!
    rm -f "$d2/master"
    local t0; t0=$(now); signal_master "$impl" "$master" "$d1" STOP
    stop_hard "$impl" "$master" "$d1"
    wait_file "$d2/master" 30 || { echo "$impl: no takeover in rep $rep" >&2; exit 1; }
    echo "$(head -1 "$d2/master") - $t0" | bc -l >>"$samples"
    rm -f "$d2/backup" "$d1/master"
    master=$(start "$impl" "$NS1" "$d1/conf" "$d1"); PIDS+=("$master")
    wait_file "$d2/backup" 30 || { echo "$impl: no preempt back in rep $rep" >&2; exit 1; }
  done
  stop_hard "$impl" "$master" "$d1"; stop_hard "$impl" "$backup" "$d2"
  MEDIAN[$impl-$int]=$(percentile 0.5 <"$samples"); P95[$impl-$int]=$(percentile 0.95 <"$samples")
}

echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, keepalived $(keepalived --version 2>&1 | head -1 | awk '{print $2}'), .NET $(dotnet --version), $REPS repetitions each."
if [ "$REPS" -gt 0 ]; then
echo
echo "| VRRPv3 advert_int | bound (Master_Down_Interval, prio 101) | ours median | ours p95 | keepalived median | keepalived p95 | ours/keepalived (median) |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for int in 1 0.1; do
  measure ours "$int"; measure keepalived "$int"
  bound=$(echo "3 * $int + (256 - 101) * $int / 256" | bc -l)
  printf '| %s s | %.3f s | %.3f s | %.3f s | %.3f s | %.3f s | %.2f |\n' "$int" "$bound" "${MEDIAN[ours-$int]}" "${P95[ours-$int]}" \
    "${MEDIAN[keepalived-$int]}" "${P95[keepalived-$int]}" "$(echo "${MEDIAN[ours-$int]} / ${MEDIAN[keepalived-$int]}" | bc -l)"
done
fi

# Idle cost: 100 MASTER instances at 100 ms adverts in one process (1000 adverts/s), 30 s after a 10 s warm-up
# (IDLE_SECONDS, IDLE_WARMUP).
cpu_ticks() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $t; }
rss_kib() { local t=0; for p in "$@"; do t=$((t + $(awk '/VmRSS/ {print $2}' "/proc/$p/status"))); done; echo $t; }
echo
if [ -n "${AOT_BINARY:-}" ]; then [ -x "$AOT_BINARY" ] || { echo "AOT_BINARY=$AOT_BINARY is not an executable" >&2; exit 2; }; fi
echo "| 100 instances, VRRPv3, 100 ms adverts, as MASTER | CPU (% of one core) | RSS |"
echo "|---|---:|---:|"
for impl in ours ${AOT_BINARY:+aot} keepalived; do
  d="$WORK/idle-$impl"; mkdir -p "$d"; config 1 MASTER 150 0.1 "" 100 >"$d/conf"
  pid=$(start "$impl" "$NS1" "$d/conf" "$d"); PIDS+=("$pid")
  sleep "$IDLE_WARMUP" & wait $!
  procs=("$pid"); [ "$impl" = keepalived ] && procs=("$(cat "$d/main.pid")" "$(cat "$d/vrrp.pid")")
  c0=$(cpu_ticks "${procs[@]}"); sleep "$IDLE_SECONDS" & wait $!; c1=$(cpu_ticks "${procs[@]}")
  label=$impl; [ "$impl" = ours ] && label="ours (JIT, framework-dependent)"; [ "$impl" = aot ] && label="ours (NativeAOT)"
  printf '| %s | %.1f %% | %.1f MiB |\n' "$label" "$(echo "($c1 - $c0) * 100 / $(getconf CLK_TCK) / $IDLE_SECONDS" | bc -l)" "$(echo "$(rss_kib "${procs[@]}") / 1024" | bc -l)"
  stop_hard "$impl" "$pid" "$d"
done
