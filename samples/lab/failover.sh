#!/usr/bin/env bash
# Two `vrrp run` hosts on one machine, in throw-away network namespaces joined by a veth pair (documentation
# addresses 192.0.2.1 and 192.0.2.2, virtual address 192.0.2.100), running samples/lab/node-a.conf (priority 150)
# and node-b.conf (100): election, a crash of the MASTER, preemption back, a graceful stop. Prints what happens and
# checks it (exit 1 if a step does not go as VRRP says). About 20 s. Everything it creates is removed on exit.
#
#   sudo samples/lab/failover.sh [VRRP]      VRRP: the vrrp host to run (default: vrrp on PATH)
set -euo pipefail
VRRP=${1:-vrrp}
LAB=$(cd "$(dirname "$0")" && pwd)
command -v "$VRRP" >/dev/null || { echo "no '$VRRP' command: install the host first (docs/getting-started.md), or pass its path" >&2; exit 2; }
VRRP=$(command -v "$VRRP")
[ "$(id -u)" = 0 ] || { echo "run as root: it creates network namespaces and raw sockets" >&2; exit 2; }

NS_A=vrrp-lab-a-$$ NS_B=vrrp-lab-b-$$
WORK=$(mktemp -d /tmp/vrrp-lab-XXXXXX)
PID_A="" PID_B=""
cleanup() {
  for p in $PID_A $PID_B; do kill -9 "$p" 2>/dev/null || true; done
  for ns in "$NS_A" "$NS_B"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
# A signal (a timeout, Ctrl+C) ends the script through its EXIT trap, so what it created is removed; long waits are
# `sleep & wait` so the signal is handled at once rather than after the sleep.
trap 'exit 143' TERM INT HUP

ip netns add "$NS_A"
ip netns add "$NS_B"
ip -n "$NS_A" link add eth0 type veth peer name eth0 netns "$NS_B"
ip -n "$NS_A" addr add 192.0.2.1/24 dev eth0
ip -n "$NS_B" addr add 192.0.2.2/24 dev eth0
ip -n "$NS_A" link set eth0 up
ip -n "$NS_B" link set eth0 up

start() { # NODE -> PID in PID_A / PID_B
  ip netns exec "$([ "$1" = a ] && echo "$NS_A" || echo "$NS_B")" \
    "$VRRP" run --config "$LAB/node-$1.conf" --state-file "$WORK/$1.json" >>"$WORK/$1.out" 2>>"$WORK/$1.log" &
  if [ "$1" = a ]; then PID_A=$!; else PID_B=$!; fi
}

t0=$(date +%s%N)
elapsed() { echo "$(( ($(date +%s%N) - t0) / 1000000 )) ms"; }

# wait_for NODE STATE SECONDS: until the node's last transition line says "to=STATE".
wait_for() {
  local deadline=$((SECONDS + $3))
  until [ -f "$WORK/$1.out" ] && [ "$(grep -o 'to=[A-Z]*' "$WORK/$1.out" | tail -1)" = "to=$2" ]; do
    if [ $SECONDS -ge $deadline ]; then
      echo "FAILED: node $1 did not become $2 within $3 s" >&2
      for n in a b; do echo "--- node $n:" >&2; cat "$WORK/$n.out" "$WORK/$n.log" >&2 2>/dev/null || true; done
      exit 1
    fi
    sleep 0.05
  done
}

# wait_vip NODE SECONDS: until 192.0.2.100 is on the node's eth0 (the MASTER's failover action adds it).
wait_vip() {
  local deadline=$((SECONDS + $2))
  until ip -n "$([ "$1" = a ] && echo "$NS_A" || echo "$NS_B")" -br addr show eth0 | grep -q '192\.0\.2\.100/24'; do
    [ $SECONDS -lt $deadline ] || { echo "FAILED: 192.0.2.100 is not on node $1's eth0 after $2 s" >&2; exit 1; }
    sleep 0.05
  done
  echo "   192.0.2.100 is on $1's eth0"
}

echo "== start both nodes (a: priority 150, b: 100; VRRPv3, advert_int 1 s)"
start a; start b
wait_for a MASTER 15; wait_for b BACKUP 15
echo "   a is MASTER after $(elapsed), b is BACKUP"
"$VRRP" status --state-file "$WORK/a.json"
wait_vip a 5

echo "== crash a (SIGKILL: no priority-0 advert): b waits Master_Down_Interval = 3 x 1 s + (256 - 100)/256 s = 3.61 s"
t0=$(date +%s%N)
kill -9 "$PID_A"; wait "$PID_A" 2>/dev/null || true; PID_A=""
wait_for b MASTER 10
echo "   b is MASTER after $(elapsed)"
wait_vip b 5

echo "== restart a: it starts as BACKUP, hears b's lower priority, and preempts after its own Master_Down_Interval"
t0=$(date +%s%N)
start a
wait_for a MASTER 15; wait_for b BACKUP 5
echo "   a is MASTER again after $(elapsed), b is BACKUP"

echo "== stop a gracefully (SIGTERM): it sends priority 0, b takes over after Skew_Time = (256 - 100)/256 s = 0.61 s"
t0=$(date +%s%N)
kill -TERM "$PID_A"
wait_for b MASTER 5
echo "   b is MASTER after $(elapsed)"
wait "$PID_A" 2>/dev/null || true; PID_A=""
"$VRRP" status --state-file "$WORK/b.json"

echo "== the transition lines node b printed on stdout:"
sed 's/^/   /' "$WORK/b.out"
echo "ok: election, crash failover, preemption and graceful stop behaved as VRRP says"
