#!/usr/bin/env bash
# An embedded VRRP MASTER whose host misbehaves, on the wire, beside keepalived 2.2.7, in throw-away network namespaces.
#
#   sudo benchmarks/isolation/run.sh > results.md
#
# NS1 runs the MASTER (priority 102, VRRPv3, 100 ms adverts, unicast to NS2), NS2 a keepalived BACKUP (priority 101)
# whose notify_master stamps every takeover; tshark in NS2 records every advert the MASTER sends. Documentation
# addresses only (192.0.2.0/24 on a veth pair); everything is removed on exit, also on failure.
#
# 1. Host misbehaviour. The MASTER is a generic host with AddVrrp (benchmarks/Vrrp.Scenarios) whose own code, for
#    DISTURB_SECONDS (default 20): blocks 64 thread-pool work items (sync-over-async), or allocates large arrays on two
#    threads (GC churn). Each runs with the runtime's protocol thread (today) and with the protocol timers on the thread
#    pool (--pool-timers: how the library ran before VrrpRuntime), and keepalived as the MASTER with nothing disturbed is
#    the reference. Prints the largest and 99th-percentile gap between adverts while disturbed, and the takeovers.
# 2. A lower-priority flood. Adverts of priority 50 from the peer's address, FLOOD_RATE per second (default max: as
#    fast as the sender goes) for FLOOD_SECONDS (default 15), at the MASTER (a VIP, notify_master_rx_lower_pri) after
#    FLOOD_WARMUP s (default 10), ours and keepalived, each beside a baseline of the same length with no flood: the
#    growth of the process, its CPU in the second after the flood, what was answered and run, and then how long a real
#    preemption (keepalived priority 150 started in NS2) takes from the preemptor's MASTER to the flooded one's BACKUP.
#    Ours also logs its GC (allocated bytes, collections) during the flood on stderr.
# SKIP_DISTURB=1 runs part 2 only.
set -euo pipefail
DISTURB_SECONDS=${DISTURB_SECONDS:-20}
FLOOD_SECONDS=${FLOOD_SECONDS:-15}
FLOOD_RATE=${FLOOD_RATE:-max}
FLOOD_WARMUP=${FLOOD_WARMUP:-10}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/vrrp-isolation-XXXXXX)
chmod 755 "$WORK"
NS1=viso1-$$ NS2=viso2-$$
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
trap 'exit 143' TERM INT HUP

[ "$(id -u)" = 0 ] || { echo "run as root (namespaces, raw sockets)" >&2; exit 2; }
for tool in keepalived tshark bc; do command -v "$tool" >/dev/null || { echo "apt-get install $tool" >&2; exit 2; }; done

dotnet build "$ROOT/benchmarks/Vrrp.Scenarios" -c Release -nologo -v:q >/dev/null
SCENARIOS="$ROOT/benchmarks/Vrrp.Scenarios/bin/Release/net10.0/Vrrp.Scenarios.dll"
DOTNET=$(command -v dotnet)

ip netns add "$NS1"; ip netns add "$NS2"
ip -n "$NS1" link add veth1 type veth peer name veth2 netns "$NS2"
ip -n "$NS1" addr add 192.0.2.1/24 dev veth1; ip -n "$NS2" addr add 192.0.2.2/24 dev veth2
for ns in "$NS1" "$NS2"; do ip -n "$ns" link set lo up; done
ip -n "$NS1" link set veth1 up; ip -n "$NS2" link set veth2 up

now() { date +%s.%N; }
pause() { sleep "$1" & wait $!; }
wait_file() { # FILE TIMEOUT_S
  local deadline=$(( $(date +%s) + $2 ))
  while [ ! -s "$1" ]; do [ "$(date +%s)" -ge "$deadline" ] && return 1; sleep 0.01; done
}
stamp_script() { printf '#!/bin/sh\ndate +%%s.%%N >> "$1"\n' >"$1/stamp.sh"; chmod 755 "$1/stamp.sh"; }

# keepalived_conf NODE STATE PRIORITY DIR [rxlower]
keepalived_conf() {
  local node=$1 peer if; [ "$node" = 1 ] && { peer=2; if=veth1; } || { peer=1; if=veth2; }
  cat <<CONF
global_defs {
    router_id node$node
}
vrrp_instance VI_1 {
    state $2
    interface $if
    virtual_router_id 1
    priority $3
    advert_int 0.1
    version 3
    unicast_src_ip 192.0.2.$node
    unicast_peer {
        192.0.2.$peer
    }
    virtual_ipaddress {
        192.0.2.101/24
    }
    notify_master "$4/stamp.sh $4/master"
    notify_backup "$4/stamp.sh $4/backup"
CONF
  [ "${5:-}" = rxlower ] && printf '    notify_master_rx_lower_pri "%s/stamp.sh %s/rxlower"\n' "$4" "$4"
  printf '}\n'
}

# ours_conf DIR: the MASTER in NS1 as the JSON an AddVrrp host binds ("Vrrp" section).
ours_conf() {
  cat <<JSON
{ "Vrrp": {
    "StateFile": "$1/state.json",
    "StateFileInterval": "00:00:01",
    "Instances": [ {
      "Name": "VI_1", "VirtualRouterId": 1, "Version": 3, "Priority": 102, "AdvertisementInterval": "00:00:00.100",
      "InitialState": "Master", "Interface": "veth1", "UnicastSource": "192.0.2.1", "Peers": [ { "Address": "192.0.2.2" } ],
      "VirtualAddresses": [ "192.0.2.101/24" ],
      "Notify": { "Master": "$1/stamp.sh $1/master", "Backup": "$1/stamp.sh $1/backup", "MasterRxLowerPriority": "$1/stamp.sh $1/rxlower" }
    } ] } }
JSON
}

start_keepalived() { # NS CONF DIR -> pid
  ip netns exec "$1" keepalived -n -l -G -P -f "$2" -p "$3/main.pid" -r "$3/vrrp.pid" -c "$3/check.pid" -b "$3/bfd.pid" >"$3/out" 2>&1 &
  echo $!
}
start_ours() { # DIR EXTRA_ARGS... -> pid
  local d=$1; shift
  ip netns exec "$NS1" "$DOTNET" "$SCENARIOS" embedded --config "$d/vrrp.json" --trigger "$d/go" --marks "$d/marks" --gc-log "$d/gc.log" "$@" >"$d/out" 2>&1 &
  echo $!
}
stop_pid() { [ -n "$1" ] && kill -9 "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
stop_keepalived() { # PID DIR
  stop_pid "$1"; for f in "$2"/main.pid "$2"/vrrp.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true; done; rm -f "$2"/*.pid
}
percentile() { sort -g | awk -v p="$1" '{a[NR]=$1} END {if (NR == 0) {print 0} else {i=int((NR-1)*p+0.5)+1; print a[i]}}'; }
cpu_ticks() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $t; }
rss_kib() { local t=0; for p in "$@"; do t=$((t + $(awk '/VmRSS/ {print $2}' "/proc/$p/status"))); done; echo $t; }
anon_kib() { local t=0; for p in "$@"; do t=$((t + $(awk '/RssAnon/ {print $2}' "/proc/$p/status"))); done; echo $t; }

echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, keepalived $(keepalived --version 2>&1 | head -1 | awk '{print $2}'), .NET $(dotnet --version)."

# disturbed LABEL IMPL DISTURB [--pool-timers]
disturbed() {
  local label=$1 impl=$2 disturb=$3 extra=${4:-} d1="$WORK/$1-n1" d2="$WORK/$1-n2" master backup shark t0 t1
  d1="$WORK/$(echo "$1 $3 $4" | tr -c 'A-Za-z0-9\n' _)-n1"; d2="${d1%-n1}-n2"; mkdir -p "$d1" "$d2"; stamp_script "$d1"; stamp_script "$d2"
  if [ "$impl" = ours ]; then
    ours_conf "$d1" >"$d1/vrrp.json"
    master=$(start_ours "$d1" --disturb "$disturb" --for "$DISTURB_SECONDS" --items 64 $extra); PIDS+=("$master")
  else
    keepalived_conf 1 MASTER 102 "$d1" >"$d1/conf"; master=$(start_keepalived "$NS1" "$d1/conf" "$d1"); PIDS+=("$master")
  fi
  wait_file "$d1/master" 60 || { echo "$label: the MASTER never became MASTER" >&2; cat "$d1/out" >&2; exit 1; }
  keepalived_conf 2 BACKUP 101 "$d2" >"$d2/conf"; backup=$(start_keepalived "$NS2" "$d2/conf" "$d2"); PIDS+=("$backup")
  wait_file "$d2/backup" 30 || { echo "$label: keepalived never became BACKUP" >&2; cat "$d2/out" >&2; exit 1; }
  ip netns exec "$NS2" tshark -i veth2 -l -n -f "ip proto 112 and src host 192.0.2.1" -T fields -e frame.time_epoch >"$d2/cap" 2>"$d2/cap.err" &
  shark=$!; PIDS+=("$shark")
  local deadline=$(( $(date +%s) + 60 ))
  while ! grep -q "Capturing on" "$d2/cap.err" 2>/dev/null; do [ "$(date +%s)" -ge "$deadline" ] && { echo "tshark did not start" >&2; cat "$d2/cap.err" >&2; exit 1; }; sleep 0.05; done
  pause 2
  t0=$(now); touch "$d1/go"; pause "$DISTURB_SECONDS"; t1=$(now); pause 1
  kill -INT "$shark" 2>/dev/null || true; wait "$shark" 2>/dev/null || true
  [ "$impl" = ours ] && { [ "$disturb" = none ] || wait_file "$d1/marks" 1 || { echo "$label: the disturbance never started" >&2; exit 1; }; }
  local sent gap99 gapmax takeovers
  sent=$(awk -v a="$t0" -v b="$t1" '$1 >= a && $1 <= b' "$d2/cap" | wc -l)
  awk -v a="$t0" -v b="$t1" '$1 >= a && $1 <= b { if (p != "") print $1 - p; p = $1 }' "$d2/cap" >"$d2/gaps"
  gapmax=$(percentile 1 <"$d2/gaps"); gap99=$(percentile 0.99 <"$d2/gaps")
  takeovers=0; [ -f "$d2/master" ] && takeovers=$(awk -v a="$t0" -v b="$t1" '$1 >= a && $1 <= b + 1' "$d2/master" | wc -l)
  printf '| %s | %s | %d | %.0f ms | %.0f ms | %d |\n' "$label" "$5" "$sent" "$(echo "$gapmax * 1000" | bc -l)" "$(echo "$gap99 * 1000" | bc -l)" "$takeovers"
  [ "$impl" = ours ] && stop_pid "$master" || stop_keepalived "$master" "$d1"
  stop_keepalived "$backup" "$d2"
}

[ -n "${SKIP_DISTURB:-}" ] || {
echo
echo "### The MASTER's host misbehaves for $DISTURB_SECONDS s (VRRPv3, 100 ms adverts, keepalived 2.2.7 BACKUP)"
echo
echo "| MASTER | its host | adverts sent | largest gap | p99 gap | keepalived BACKUP took over |"
echo "|---|---|---:|---:|---:|---:|"
disturbed "ours: protocol thread" ours none "" "quiet"
disturbed "ours: protocol thread" ours starve "" "64 blocked pool work items"
disturbed "ours: timers on the pool (before)" ours starve --pool-timers "64 blocked pool work items"
disturbed "ours: protocol thread" ours churn "" "GC churn (2 threads, large arrays)"
disturbed "ours: timers on the pool (before)" ours churn --pool-timers "GC churn (2 threads, large arrays)"
disturbed "keepalived" keepalived none "" "quiet (a daemon: no host code)"
}

echo
echo "### $FLOOD_SECONDS s of lower-priority adverts ($FLOOD_RATE/s), then a real preemption"
echo
echo "| MASTER | adverts at it | grew by: RSS (anonymous) | CPU, 1 s after the flood | answers sent during the flood | notify_master_rx_lower_pri runs | preemptor MASTER → flooded BACKUP |"
echo "|---|---:|---:|---:|---:|---:|---:|"

# flooded LABEL IMPL RATE [WARM]: WARM=warm floods it once, unmeasured, during the warm-up (what stays after a first flood).
flooded() {
  local anon0 anon1 label=$1 impl=$2 rate=$3 d1="$WORK/flood-$2-$3-${4:-}-n1" d2="$WORK/flood-$2-$3-${4:-}-n2" master preemptor shark procs rss0 rss1 c0 c1 t0 t1
  mkdir -p "$d1" "$d2"; stamp_script "$d1"; stamp_script "$d2"
  if [ "$impl" = ours ]; then
    ours_conf "$d1" >"$d1/vrrp.json"; master=$(start_ours "$d1"); PIDS+=("$master")
  else
    keepalived_conf 1 MASTER 102 "$d1" rxlower >"$d1/conf"; master=$(start_keepalived "$NS1" "$d1/conf" "$d1"); PIDS+=("$master")
  fi
  wait_file "$d1/master" 60 || { echo "$label: the MASTER never became MASTER" >&2; cat "$d1/out" >&2; exit 1; }
  pause "$FLOOD_WARMUP"
  if [ "${4:-}" = warm ]; then
    ip netns exec "$NS2" "$DOTNET" "$SCENARIOS" flood --source 192.0.2.2 --destination 192.0.2.1 --vrid 1 --priority 50 \
      --rate "$rate" --seconds "$FLOOD_SECONDS" >"$d2/warm.out"
    pause 2
  fi
  procs=("$master"); [ "$impl" = keepalived ] && procs=("$(cat "$d1/main.pid")" "$(cat "$d1/vrrp.pid")")
  ip netns exec "$NS2" tshark -i veth2 -l -n -f "ip proto 112 and src host 192.0.2.1" -T fields -e frame.time_epoch >"$d2/cap" 2>"$d2/cap.err" &
  shark=$!; PIDS+=("$shark")
  local deadline=$(( $(date +%s) + 60 ))
  while ! grep -q "Capturing on" "$d2/cap.err" 2>/dev/null; do [ "$(date +%s)" -ge "$deadline" ] && { echo "tshark did not start" >&2; exit 1; }; sleep 0.05; done
  rss0=$(rss_kib "${procs[@]}"); anon0=$(anon_kib "${procs[@]}")
  t0=$(now)
  ip netns exec "$NS2" "$DOTNET" "$SCENARIOS" flood --source 192.0.2.2 --destination 192.0.2.1 --vrid 1 --priority 50 \
    --rate "$rate" --seconds "$FLOOD_SECONDS" >"$d2/flood.out"
  t1=$(now); rss1=$(rss_kib "${procs[@]}"); anon1=$(anon_kib "${procs[@]}"); c0=$(cpu_ticks "${procs[@]}"); pause 1; c1=$(cpu_ticks "${procs[@]}")
  kill -INT "$shark" 2>/dev/null || true; wait "$shark" 2>/dev/null || true
  # Adverts sent beyond the 10/s a MASTER sends anyway are the answers to the flood.
  local sent answers runs
  sent=$(awk -v a="$t0" -v b="$t1" '$1 >= a && $1 <= b' "$d2/cap" | wc -l)
  answers=$(echo "a = $sent - ($t1 - $t0) * 10; if (a < 0) a = 0; a" | bc -l)
  runs=$( [ -f "$d1/rxlower" ] && wc -l <"$d1/rxlower" || echo 0)
  # A real preemption: keepalived, priority 150, in NS2 (the flooded MASTER's BACKUP at start-up does not count).
  rm -f "$d1/backup"
  keepalived_conf 2 BACKUP 150 "$d2" >"$d2/conf"; preemptor=$(start_keepalived "$NS2" "$d2/conf" "$d2"); PIDS+=("$preemptor")
  wait_file "$d2/master" 30 || { echo "$label: the preemptor never became MASTER" >&2; cat "$d2/out" >&2; exit 1; }
  wait_file "$d1/backup" 30 || { echo "$label: the flooded MASTER never became BACKUP" >&2; cat "$d1/out" >&2; exit 1; }
  local handover; handover=$(echo "$(head -1 "$d1/backup") - $(head -1 "$d2/master")" | bc -l)
  printf '| %s | %s | %.1f MiB (%.1f MiB) | %.1f %% | %.0f | %d | %.0f ms |\n' "$label" "$(awk '{print $2}' "$d2/flood.out")" \
    "$(echo "($rss1 - $rss0) / 1024" | bc -l)" "$(echo "($anon1 - $anon0) / 1024" | bc -l)" \
    "$(echo "($c1 - $c0) * 100 / $(getconf CLK_TCK)" | bc -l)" "$answers" "$runs" "$(echo "$handover * 1000" | bc -l)"
  [ "$impl" = ours ] && stop_pid "$master" || stop_keepalived "$master" "$d1"
  stop_keepalived "$preemptor" "$d2"
  if [ "$impl" = ours ]; then
    grep -o '"lower_prio_[a-z_]*": *[0-9]*' "$d1/state.json" | tr -d '"' | sed "s/^/    $label: /" >&2 || true
    # The GC during the flood: bytes allocated, gen0/1/2 collections, heap size at the end.
    awk -v a="$t0" -v b="$t1" -v l="$label" '$1 >= a - 1 && $1 <= b + 1 { if (!n++) { a0 = $2; g0 = $3; g1 = $4; g2 = $5 } z = $2; h = $6; x = $3; y = $4; w = $5 }
      END { printf "    %s: GC during the flood: %.1f MiB allocated, %d gen0, %d gen1, %d gen2 collections, heap %.1f MiB\n", l, (z - a0) / 1048576, x - g0, y - g1, w - g2, h / 1048576 }' "$d1/gc.log" >&2
  fi
}

flooded "ours (AddVrrp host), no flood: the baseline" ours 0
flooded "ours (AddVrrp host)" ours "$FLOOD_RATE"
flooded "ours (AddVrrp host), its second flood" ours "$FLOOD_RATE" warm
flooded "keepalived, no flood: the baseline" keepalived 0
flooded "keepalived" keepalived "$FLOOD_RATE"
