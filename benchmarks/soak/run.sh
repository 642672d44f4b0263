#!/usr/bin/env bash
# Real-time soak: one `vrrp run` with 100 MASTER instances (VRRPv3, 100 ms adverts = 1000 adverts/s) for
# DURATION seconds (default 600) in a throw-away network namespace pair. Every minute it samples the RSS and the
# adverts sent (from the host's keepalived-style state file) and prints a Markdown table: memory growth and timer
# drift (adverts sent vs elapsed / interval). Everything it creates is removed on exit.
#   sudo benchmarks/soak/run.sh [DURATION_SECONDS] > soak.md
set -euo pipefail
DURATION=${1:-600}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/vrrp-soak-XXXXXX)
NS1=vsoak1-$$ NS2=vsoak2-$$
PID=""
cleanup() {
  [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null || true
  for ns in "$NS1" "$NS2"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }

dotnet build "$ROOT/src/Vrrp.Host" -c Release -nologo -v:q >/dev/null
ip netns add "$NS1"; ip netns add "$NS2"
ip -n "$NS1" link add veth1 type veth peer name veth2 netns "$NS2"
ip -n "$NS1" addr add 192.0.2.1/24 dev veth1; ip -n "$NS2" addr add 192.0.2.2/24 dev veth2
for ns in "$NS1" "$NS2"; do ip -n "$ns" link set lo up; done
ip -n "$NS1" link set veth1 up; ip -n "$NS2" link set veth2 up

{
  for vrid in $(seq 1 100); do
    printf 'vrrp_instance VI_%s {\n state MASTER\n interface veth1\n virtual_router_id %s\n priority 150\n advert_int 0.1\n version 3\n unicast_src_ip 192.0.2.1\n unicast_peer {\n  192.0.2.2\n }\n}\n' "$vrid" "$vrid"
  done
} >"$WORK/vrrp.conf"

ip netns exec "$NS1" dotnet "$ROOT/src/Vrrp.Host/bin/Release/net10.0/vrrp.dll" run --config "$WORK/vrrp.conf" \
  --state-file "$WORK/state.json" --log-level Warning >"$WORK/out" 2>&1 &
PID=$!

sent() { python3 -c 'import json,sys; print(sum(i["stats"]["advert_sent"] for i in json.load(open(sys.argv[1]))))' "$WORK/state.json"; }
masters() { python3 -c 'import json,sys; print(sum(1 for i in json.load(open(sys.argv[1])) if i["data"]["state"] == 2))' "$WORK/state.json"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$PID/status"; }

sleep 15   # start-up, JIT, every instance MASTER after its Master_Down_Interval
[ "$(masters)" = 100 ] || { echo "not all 100 instances are MASTER" >&2; cat "$WORK/out" >&2; exit 1; }
t0=$(date +%s.%N); s0=$(sent); r0=$(rss)
echo "Measured $(date -u +%Y-%m-%d), $(nproc) cores, .NET $(dotnet --version): 100 MASTER instances, VRRPv3, 100 ms adverts, ${DURATION} s."
echo
echo "| minute | RSS (MiB) | adverts sent in the minute | expected (100 × 600) | drift |"
echo "|---:|---:|---:|---:|---:|"
prev_t=$t0; prev_s=$s0
for minute in $(seq 1 $((DURATION / 60))); do
  sleep 60
  t=$(date +%s.%N); s=$(sent); r=$(rss)
  expected=$(echo "($t - $prev_t) * 1000" | bc -l)
  printf '| %d | %.1f | %d | %.0f | %+.3f %% |\n' "$minute" "$(echo "$r / 1024" | bc -l)" "$((s - prev_s))" "$expected" "$(echo "($((s - prev_s)) - $expected) * 100 / $expected" | bc -l)"
  prev_t=$t; prev_s=$s
done
t=$(date +%s.%N); s=$(sent); r=$(rss)
echo
printf 'Total: %d adverts in %.1f s (expected %.0f, drift %+.3f %%); RSS %.1f MiB at start of measurement, %.1f MiB at the end (%+.1f MiB).\n' \
  "$((s - s0))" "$(echo "$t - $t0" | bc -l)" "$(echo "($t - $t0) * 1000" | bc -l)" "$(echo "($((s - s0)) - ($t - $t0) * 1000) * 100 / (($t - $t0) * 1000)" | bc -l)" \
  "$(echo "$r0 / 1024" | bc -l)" "$(echo "$r / 1024" | bc -l)" "$(echo "($r - $r0) / 1024" | bc -l)"
