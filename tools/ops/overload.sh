#!/usr/bin/env bash
# Overload: more concurrent heavy requests than compute slots, on 127.0.0.1. Every answer must be 200 with the
# bytes a lone request gets, or 503 with Retry-After. Not part of CI.
#
#   ./mvnw -q package -DskipTests && tools/ops/overload.sh [connections] [seconds] [service options...]
#
# Defaults: 64 connections for 30 s, each sending 256 windows of 128 tokens (32768 steps), against the default
# limits; e.g. `tools/ops/overload.sh 64 30 --lstm.limits.max-wait=0ms` for no waiting at all. Needs wrk.
set -euo pipefail
cd "$(dirname "$0")/../.."
CONNECTIONS=${1:-64}
DURATION=${2:-30}
shift 2 2>/dev/null || shift $#
PORT=${PORT:-18490}
JAR=target/lstm-serve.jar
OUT=target/overload
BASE="http://127.0.0.1:$PORT"
[ -f "$JAR" ] || { echo "build first: ./mvnw -q package -DskipTests" >&2; exit 1; }
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
mkdir -p "$OUT"

# --add-modules: the engine's Vector API kernels, as in the README's java -jar line.
java --add-modules jdk.incubator.vector -jar "$JAR" --server.address=127.0.0.1 --server.port="$PORT" "$@" \
  > "$OUT/service.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -fsS -o /dev/null "$BASE/actuator/health/readiness" 2>/dev/null; do
  kill -0 $pid 2>/dev/null || { tail -50 "$OUT/service.log" >&2; exit 1; }
  sleep 0.2
done

python3 - "$OUT/body.json" <<'PY'
import json, sys
rows = [[(b * 7 + t * 3) % 9 for t in range(128)] for b in range(256)]
json.dump({"tokens": rows, "return_sequences": False}, open(sys.argv[1], "w"))
PY
curl -fsS -o "$OUT/expected.json" -H 'Content-Type: application/json' --data-binary @"$OUT/body.json" "$BASE/lstm/forward"
echo "one request alone: $(curl -s -o /dev/null -w '%{time_total}' -H 'Content-Type: application/json' \
  --data-binary @"$OUT/body.json" "$BASE/lstm/forward") s; warm-up 10 s"
wrk -t2 -c4 -d10s -s tools/ops/overload.lua "$BASE/lstm/forward" -- "$OUT/body.json" "$OUT/expected.json" > /dev/null
before=$(curl -fsS "$BASE/actuator/prometheus" | awk '/^lstm_requests_rejected_total\{reason="overloaded"\}/ {print $2}')
cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }   # the service's user + system CPU time, in clock ticks
cpu_before=$(cpu)
echo "== $CONNECTIONS connections, ${DURATION} s, limits: $(grep -o 'Request limits: .*' "$OUT/service.log")"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 30s -s tools/ops/overload.lua "$BASE/lstm/forward" \
  -- "$OUT/body.json" "$OUT/expected.json" | tee "$OUT/wrk.txt" | grep -E 'Requests/sec|expected bytes|latency of'
cpu_after=$(cpu)
after=$(curl -fsS "$BASE/actuator/prometheus" | awk '/^lstm_requests_rejected_total\{reason="overloaded"\}/ {print $2}')
served=$(grep -o 'expected bytes: [0-9]*' "$OUT/wrk.txt" | grep -o '[0-9]*$')
echo "service CPU: $(( (cpu_after - cpu_before) / $(getconf CLK_TCK) )) s for $served requests served:" \
  "$(python3 -c "print(round(($cpu_after - $cpu_before) / $(getconf CLK_TCK) * 1000 / max(1, $served), 1))") ms per request served"
echo "lstm_requests_rejected_total{reason=\"overloaded\"}: +$(python3 -c "print(int($after - $before))")"
