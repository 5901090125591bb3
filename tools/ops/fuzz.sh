#!/usr/bin/env bash
# Coverage-guided fuzzing of the request path, bounded in time (CI runs it after ./mvnw -B verify):
#   bash tools/ops/fuzz.sh [target ...]     (default: the three @FuzzTest methods of FuzzedRequestTests)
# Each target fuzzes in its own JVM (Jazzer fuzzes one @FuzzTest per JVM) under JAZZER_FUZZ=1, for the maxDuration
# in FuzzedRequestTests (libFuzzer's -max_total_time, counted from libFuzzer's start), all of them at once: their
# start-up (Spring, Jazzer's class-path scan and instrumentation) is most of the CPU they need and does not wait
# on the others. Prints per target the inputs libFuzzer ran and the bodies the service answered; exits non-zero if
# any target fails. A failing input is in src/test/resources/dev/lstmserve/FuzzedRequestTestsInputs/<target>/crash-*:
# commit it and ./mvnw verify replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/../.."

TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(mutatedSeedsGetAnAnswerThatIsNot5xx treeMutatedSeedsGetAnAnswerThatIsNot5xx
    randomJsonGetsAnAnswerThatIsNot5xx)
OUT=target/fuzz
INPUTS=src/test/resources/dev/lstmserve/FuzzedRequestTestsInputs

started=$SECONDS
./mvnw -B -q test-compile
rm -rf "$OUT"
mkdir -p "$OUT"

# -Djazzer.hooks=true: coverage and comparison instrumentation plus Jazzer's bug detectors (verify turns them off in
# junit-platform.properties). -Djazzer.instrument: our classes and Jackson's parser and data binding, which read every
# body first. -Djazzer.internal.command_line=true: Jazzer 0.24.0 then lets libFuzzer alone run the committed inputs
# (as its seed corpus) instead of running each of them once more as a JUnit invocation first.
declare -A pids
for target in "${TARGETS[@]}"; do
  JAZZER_FUZZ=1 ./mvnw -B surefire:test -Dtest="FuzzedRequestTests#$target" \
      -Djazzer.hooks=true -Djazzer.instrument='dev.lstmserve.**,tools.jackson.**' \
      -Djazzer.internal.command_line=true -Dsurefire.reportsDirectory="$OUT/$target" \
      >"$OUT/$target.log" 2>&1 &
  pids[$target]=$!
done

failed=0
for target in "${TARGETS[@]}"; do
  status=0
  wait "${pids[$target]}" || status=$?
  log="$OUT/$target.log"
  runs=$(grep -aoE 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -n 1 || true)
  cov=$(grep -aoE '#[0-9]+ +DONE +cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9A-Za-z]+' "$log" | tail -n 1 | tr -s ' ' || true)
  sent=$(grep -aoE 'FuzzedRequestTests sent: .*' "$log" | tail -n 1 || true)
  echo "== $target: exit $status; libFuzzer: ${runs:-no 'Done' line} (${cov:-no DONE line})"
  echo "   ${sent:-no 'FuzzedRequestTests sent' line}"
  if [ "$status" -ne 0 ] || ! grep -aq 'Tests run: [1-9]' "$log" || [ -z "$runs" ]; then
    failed=1
    echo "FAILED: $target (log $log):" >&2
    grep -aE 'Tests run:|FAIL|Exception|Error|== Java|crash-|artifact_prefix|Test unit written' "$log" | head -n 40 >&2 || true
  fi
done

crashes=$(git status --porcelain --untracked-files=all -- "$INPUTS" | grep -E 'crash-|timeout-|slow-unit-|leak-' || true)
if [ -n "$crashes" ]; then
  echo "New failing inputs (commit them: ./mvnw verify then replays them):" >&2
  echo "$crashes" >&2
fi
echo "fuzzing took $((SECONDS - started)) s"
[ "$failed" -eq 0 ] || { echo "FAILED: fuzzing found a failure or did not run" >&2; exit 1; }
