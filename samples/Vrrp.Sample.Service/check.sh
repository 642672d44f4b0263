#!/usr/bin/env bash
# Runs the sample service as its README says, against the packed Vrrp.Core in the folder feed artifacts/packages, and
# checks what the README promises: `web` logs "I am MASTER now" and `web-peer` stays BACKUP; Ctrl+C (SIGINT) stops
# it gracefully — the failover actions see `web` stop — with exit code 0. .ci/run runs it after packing.
#   samples/Vrrp.Sample.Service/check.sh [VERSION]    (default 0.1.0: `dotnet pack src/Vrrp.Core -c Release -o artifacts/packages`)
set -euo pipefail
cd "$(dirname "$0")/../.."
version=${1:-0.1.0}
[ -f "artifacts/packages/Vrrp.Core.$version.nupkg" ] || { echo "check.sh: artifacts/packages/Vrrp.Core.$version.nupkg is missing: dotnet pack src/Vrrp.Core -c Release -o artifacts/packages" >&2; exit 1; }

work=$(mktemp -d)
pid=""
cleanup() { if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "check.sh: $*" >&2; echo "--- the sample's output:" >&2; cat "$work/out" >&2 || true; exit 1; }

dotnet build samples/Vrrp.Sample.Service -c Release -o "$work/bin" -p:VrrpPackageVersion="$version" -warnaserror -nologo -v:q >"$work/build" 2>&1 \
  || { tail -n 30 "$work/build" >&2; echo "check.sh: the sample does not build against Vrrp.Core $version" >&2; exit 1; }
grep -q "Vrrp.Core/$version" "$work/bin/Vrrp.Sample.Service.deps.json" || fail "the build did not take Vrrp.Core $version from the package"

# From another directory: appsettings.json is found beside the program, the state file lands in the working directory.
(cd "$work" && exec dotnet bin/Vrrp.Sample.Service.dll) >"$work/out" 2>&1 &
pid=$!
for _ in $(seq 300); do   # at most 30 s; Master_Down_Interval is about 3.6 s
  grep -q "I am MASTER now (web, priority 150)" "$work/out" && break
  kill -0 "$pid" 2>/dev/null || fail "the sample exited before becoming MASTER"
  sleep 0.1
done
grep -q "I am MASTER now (web, priority 150)" "$work/out" || fail "web did not become MASTER within 30 s"
grep -q "web-peer is BACKUP now" "$work/out" || fail "web-peer is not BACKUP"
grep -q "I am MASTER now (web-peer" "$work/out" && fail "web-peer became MASTER too"
[ -s "$work/vrrp-state.json" ] || fail "no state file vrrp-state.json in the working directory"

kill -INT "$pid"
for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "the sample did not stop within 20 s of SIGINT"
status=0; wait "$pid" || status=$?
pid=""
[ "$status" -eq 0 ] || fail "the sample exited with $status after SIGINT"
grep -q "web is STOP now" "$work/out" || fail "the failover action did not see web stop"
echo "check.sh: the sample ran on Vrrp.Core $version: web MASTER, web-peer BACKUP, stopped gracefully"
