#!/usr/bin/env bash
# Real-time soak: one `vrrp run` with 100 MASTER instances (VRRPv3, 100 ms adverts = 1000 adverts/s) for
# DURATION seconds (default 600) in a throw-away network namespace pair. Every minute it samples the RSS and the
# adverts sent (from the host's keepalived-style state file) and prints a Markdown table: memory growth and timer
# drift (adverts sent vs elapsed / interval). Memory is split: anonymous (heap) memory from /proc/PID/smaps_rollup,
# and — when dotnet-counters is installed (dotnet tool install -g dotnet-counters) — the GC's view: managed heap after
# the last GC, memory the GC has committed, collections per generation and methods JIT-compiled since start (tiering),
# so that managed growth (a leak) and native growth (JIT, threads, malloc) can be told apart.
# VIPS=1 gives every instance a virtual address (192.0.2.101-200 on veth1, announced by gratuitous ARP), for the
# memory cost of local-address actions. Everything it creates is removed on exit.
#   sudo benchmarks/soak/run.sh [DURATION_SECONDS] > soak.md
#   sudo VIPS=1 benchmarks/soak/run.sh 60
set -euo pipefail
DURATION=${1:-600}
VIPS=${VIPS:-0}
COUNTERS=$(command -v dotnet-counters || { [ -x "$HOME/.dotnet/tools/dotnet-counters" ] && echo "$HOME/.dotnet/tools/dotnet-counters"; } || true)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/vrrp-soak-XXXXXX)
NS1=vsoak1-$$ NS2=vsoak2-$$
PID="" CPID=""
cleanup() {
  [ -n "$CPID" ] && kill "$CPID" 2>/dev/null || true
  [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null || true
  for ns in "$NS1" "$NS2"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
# A signal (a timeout, Ctrl+C) ends the script through its EXIT trap, so what it created is removed; long waits are
# `sleep & wait` so the signal is handled at once rather than after the sleep.
trap 'exit 143' TERM INT HUP
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }

dotnet build "$ROOT/src/Vrrp.Host" -c Release -nologo -v:q >/dev/null
ip netns add "$NS1"; ip netns add "$NS2"
ip -n "$NS1" link add veth1 type veth peer name veth2 netns "$NS2"
ip -n "$NS1" addr add 192.0.2.1/24 dev veth1; ip -n "$NS2" addr add 192.0.2.2/24 dev veth2
for ns in "$NS1" "$NS2"; do ip -n "$ns" link set lo up; done
ip -n "$NS1" link set veth1 up; ip -n "$NS2" link set veth2 up

{
  for vrid in $(seq 1 100); do
    printf 'vrrp_instance VI_%s {\n state MASTER\n interface veth1\n virtual_router_id %s\n priority 150\n advert_int 0.1\n version 3\n unicast_src_ip 192.0.2.1\n unicast_peer {\n  192.0.2.2\n }\n' "$vrid" "$vrid"
    if [ "$VIPS" = 1 ]; then printf ' virtual_ipaddress {\n  192.0.2.%s/24\n }\n' $((100 + vrid)); fi
    printf '}\n'
  done
} >"$WORK/vrrp.conf"

ip netns exec "$NS1" dotnet "$ROOT/src/Vrrp.Host/bin/Release/net10.0/vrrp.dll" run --config "$WORK/vrrp.conf" \
  --state-file "$WORK/state.json" --log-level Warning >"$WORK/out" 2>&1 &
PID=$!
if [ -n "$COUNTERS" ]; then
  for _ in $(seq 1 50); do [ -S "/tmp/dotnet-diagnostic-$PID-"*-socket ] 2>/dev/null && break; sleep 0.2; done
  "$COUNTERS" collect -p "$PID" --refresh-interval 10 --format csv -o "$WORK/counters.csv" --counters System.Runtime >/dev/null 2>&1 &
  CPID=$!
fi

# "WRITTEN SENT": when the state file was written (its mtime, read from the same open file) and the adverts it counts;
# drift is measured between writes, so the file's 5 s refresh does not show up as noise.
sample() { python3 -c 'import json,os,sys; f=open(sys.argv[1]); print("%.6f %d" % (os.fstat(f.fileno()).st_mtime, sum(i["stats"]["advert_sent"] for i in json.load(f))))' "$WORK/state.json"; }
masters() { python3 -c 'import json,sys; print(sum(1 for i in json.load(open(sys.argv[1])) if i["data"]["state"] == 2))' "$WORK/state.json"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$PID/status"; }
anon() { awk '/^Anonymous:/ {print $2}' "/proc/$PID/smaps_rollup"; }
threads() { awk '/^Threads:/ {print $2}' "/proc/$PID/status"; }
# GC heap after the last GC (MiB), GC committed (MiB), collections gen0/gen1/gen2, JIT-compiled methods and MiB
# allocated since start (the counters are written in 10 s steps, so they may lag the other columns by a few seconds).
gc() {
  [ -s "$WORK/counters.csv" ] || { echo "n/a n/a n/a n/a n/a"; return; }
  python3 - "$WORK/counters.csv" <<'PY'
import csv, sys
last, total = {}, {}
for r in csv.DictReader(open(sys.argv[1])):
    name, value = r['Counter Name'], float(r['Mean/Increment'] or 0)
    last[name] = value
    total[name] = total.get(name, 0) + value
heap = sum(v for k, v in last.items() if k.startswith('dotnet.gc.last_collection.heap.size'))
gcs = '/'.join(str(int(total.get('dotnet.gc.collections ({collection} / 10 sec)[gc.heap.generation=%s]' % g, 0))) for g in ('gen0', 'gen1', 'gen2'))
print('%.1f %.1f %s %d %.1f' % (heap / 2**20, last.get('dotnet.gc.last_collection.memory.committed_size (By)', 0) / 2**20, gcs,
                              total.get('dotnet.jit.compiled_methods ({method} / 10 sec)', 0), total.get('dotnet.gc.heap.total_allocated (By / 10 sec)', 0) / 2**20))
PY
}

sleep 15 & wait $!   # start-up, JIT, every instance MASTER after its Master_Down_Interval
[ "$(masters)" = 100 ] || { echo "not all 100 instances are MASTER" >&2; cat "$WORK/out" >&2; exit 1; }
if [ -n "$COUNTERS" ]; then for _ in $(seq 1 30); do [ -s "$WORK/counters.csv" ] && break; sleep 1; done; fi
read -r t0 s0 <<<"$(sample)"; r0=$(rss)
echo "Measured $(date -u +%Y-%m-%d), $(nproc) cores, .NET $(dotnet --version): 100 MASTER instances$([ "$VIPS" = 1 ] && echo " with a VIP each"), VRRPv3, 100 ms adverts, ${DURATION} s."
echo
echo "| minute | RSS (MiB) | anonymous (MiB) | GC heap after last GC (MiB) | GC committed (MiB) | GCs gen0/1/2 | allocated (MiB) | JIT-compiled methods | threads (now / most in the minute) | adverts sent in the minute | expected (100 × 600) | drift |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
allocated_before=0
most_threads=0
row() { # minute, adverts in the interval, expected, drift
  read -r heap committed gcs jit allocated <<<"$(gc)"
  if [ "$allocated" = n/a ]; then delta=n/a; else delta=$(printf '%.1f' "$(echo "$allocated - $allocated_before" | bc -l)"); allocated_before=$allocated; fi
  printf '| %s | %.1f | %.1f | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$(echo "$(rss) / 1024" | bc -l)" "$(echo "$(anon) / 1024" | bc -l)" \
    "$heap" "$committed" "$gcs" "$delta" "$jit" "$(threads) / $most_threads" "$2" "$3" "$4"
}
most_threads=$(threads)
row 0 "" "" ""
prev_t=$t0; prev_s=$s0
for minute in $(seq 1 $((DURATION / 60))); do
  # Threads come and go between samples (the thread pool adds workers when the process is starved of CPU and retires
  # them after 20 s idle): keep the most seen, every 2 s.
  most_threads=0
  for _ in $(seq 1 30); do sleep 2; n=$(threads); [ "$n" -gt "$most_threads" ] && most_threads=$n; done
  read -r t s <<<"$(sample)"
  expected=$(echo "($t - $prev_t) * 1000" | bc -l)
  row "$minute" "$((s - prev_s))" "$(printf '%.0f' "$expected")" "$(printf '%+.3f %%' "$(echo "($((s - prev_s)) - $expected) * 100 / $expected" | bc -l)")"
  prev_t=$t; prev_s=$s
done
read -r t s <<<"$(sample)"; r=$(rss)
echo
printf 'Total: %d adverts in %.1f s (expected %.0f, drift %+.3f %%); RSS %.1f MiB at start of measurement, %.1f MiB at the end (%+.1f MiB).\n' \
  "$((s - s0))" "$(echo "$t - $t0" | bc -l)" "$(echo "($t - $t0) * 1000" | bc -l)" "$(echo "($((s - s0)) - ($t - $t0) * 1000) * 100 / (($t - $t0) * 1000)" | bc -l)" \
  "$(echo "$r0 / 1024" | bc -l)" "$(echo "$r / 1024" | bc -l)" "$(echo "($r - $r0) / 1024" | bc -l)"
