#!/usr/bin/env bash
# Soak: N minutes of mixed load (tools/ops/soak-mix.lua) on 127.0.0.1, with heap after GC, RSS, threads and open
# files recorded before and after (and every 30 s in between), to show that nothing grows. Not part of CI.
#
#   ./mvnw -q package -DskipTests && tools/ops/soak.sh [minutes] [connections]
#
# Defaults: 10 minutes, 8 connections on 2 wrk threads, after a warm-up of WARMUP seconds (60). JAVA_OPTS (default --add-modules jdk.incubator.vector -Xmx1g) go to the
# service. Needs wrk (Debian: apt-get install wrk) and jcmd (the JDK). Writes target/soak/samples.csv and
# target/soak/summary.txt; stops the service with SIGTERM at the end and reports its exit status.
set -euo pipefail
cd "$(dirname "$0")/../.."
MINUTES=${1:-10}
CONNECTIONS=${2:-8}
PORT=${PORT:-18480}
# The engine's Vector API kernels need the incubator module, as in the README's java -jar line.
JAVA_OPTS=${JAVA_OPTS:---add-modules jdk.incubator.vector -Xmx1g}
WARMUP=${WARMUP:-60}
JAR=target/lstm-serve.jar
OUT=target/soak
BASE="http://127.0.0.1:$PORT"
[ -f "$JAR" ] || { echo "build first: ./mvnw -q package -DskipTests" >&2; exit 1; }
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
command -v jcmd >/dev/null || { echo "needs jcmd (a JDK)" >&2; exit 1; }
mkdir -p "$OUT"

# shellcheck disable=SC2086
java $JAVA_OPTS -jar "$JAR" --server.address=127.0.0.1 --server.port="$PORT" > "$OUT/service.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -fsS -o /dev/null "$BASE/actuator/health/readiness" 2>/dev/null; do
  kill -0 $pid 2>/dev/null || { tail -50 "$OUT/service.log" >&2; exit 1; }
  sleep 0.2
done

metric() {  # sum of a Prometheus family's samples, optionally filtered by a label fragment
  curl -fsS "$BASE/actuator/prometheus" | awk -v name="$1" -v label="${2:-}" \
    '(index($0, name "{") == 1 || index($0, name " ") == 1) && index($0, label) { sum += $NF }
     END { printf "%.0f", sum }'
}
proc() { awk -v key="$1:" '$1 == key { print $2 }' "/proc/$pid/status"; }
snapshot() {  # label: heap after a full GC, RSS, threads, open files
  jcmd $pid GC.run > /dev/null
  sleep 1
  printf '%s: heap after GC %s MiB, RSS %s MiB, threads %s, open files %s\n' "$1" \
    $(( $(metric jvm_memory_used_bytes 'area="heap"') / 1048576 )) $(( $(proc VmRSS) / 1024 )) "$(proc Threads)" \
    "$(ls /proc/$pid/fd | wc -l)"
}

echo "warm-up: $WARMUP s of the same mix"
wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" -s tools/ops/soak-mix.lua "$BASE/" > "$OUT/warmup.txt"
before=$(snapshot before)
echo "$before"

echo "soak: $MINUTES min, $CONNECTIONS connections"
echo "seconds,heap_used_mib,gc_live_data_mib,rss_mib,threads,open_files,requests" > "$OUT/samples.csv"
wrk -t2 -c"$CONNECTIONS" -d"${MINUTES}m" --timeout 30s -s tools/ops/soak-mix.lua "$BASE/" > "$OUT/wrk.txt" &
wrk_pid=$!
started=$SECONDS
while kill -0 $wrk_pid 2>/dev/null; do
  sleep 30
  kill -0 $pid 2>/dev/null || { echo "the service died" >&2; tail -50 "$OUT/service.log" >&2; exit 1; }
  printf '%s,%s,%s,%s,%s,%s,%s\n' $((SECONDS - started)) \
    $(( $(metric jvm_memory_used_bytes 'area="heap"') / 1048576 )) $(( $(metric jvm_gc_live_data_size_bytes) / 1048576 )) \
    $(( $(proc VmRSS) / 1024 )) "$(proc Threads)" "$(ls /proc/$pid/fd | wc -l)" \
    "$(metric lstm_request_seconds_count)" >> "$OUT/samples.csv"
done
wait $wrk_pid
after=$(snapshot after)

rejected=$(curl -fsS "$BASE/actuator/prometheus" | grep '^lstm_requests_rejected_total' | sed 's/lstm_requests_rejected_total//')
kill -TERM $pid
status=0
wait $pid || status=$?
trap - EXIT
{
  echo "command: tools/ops/soak.sh $MINUTES $CONNECTIONS (JAVA_OPTS=$JAVA_OPTS), $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "$before"
  echo "$after"
  grep -E 'requests in|Requests/sec|Socket errors|Non-2xx' "$OUT/wrk.txt" || true
  grep -E '^statuses|^latency' "$OUT/wrk.txt"
  echo "lstm_requests_rejected_total:" $rejected
  echo "exit status after SIGTERM: $status"
} | tee "$OUT/summary.txt"
echo "samples every 30 s: $OUT/samples.csv"
