#!/usr/bin/env bash
# Runs the lab tests (tests/Aiops.Lab.Tests: the embedded lab and the real Prometheus + Alertmanager lab) N times while a
# CPU-burning loop per core keeps every core busy, and prints how many runs passed. A run passes when every lab test in it
# passes. Each run's output goes to artifacts/lab/soak/run-<i>.txt.
#   eng/lab-soak.sh 20             # 20 runs
#   BURNERS=0 eng/lab-soak.sh 5    # without the CPU burners
set -euo pipefail
# Needs Debian's prometheus and prometheus-alertmanager (eng/test-deps.sh installs them).
cd "$(dirname "$0")/.."
runs="${1:-20}"
burners="${BURNERS:-$(nproc)}"
out=artifacts/lab/soak
mkdir -p "$out"

dotnet build tests/Aiops.Lab.Tests -c Release -v quiet -nologo >"$out/build.txt" 2>&1 || { cat "$out/build.txt"; exit 1; }

pids=()
test_pid=
stop() {
  # The burners, and a lab run cut short (its fixture stops the lab's processes when the test host ends normally).
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -z "$test_pid" ] || kill -- -"$test_pid" 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT TERM
for _ in $(seq 1 "$burners"); do
  ( while :; do :; done ) &
  pids+=("$!")
done
echo "lab soak: $runs runs, $burners CPU burner(s) (pids ${pids[*]:-none})"

passed=0
for i in $(seq 1 "$runs"); do
  started=$(date +%s)
  # In a process group of its own, so that stopping the soak stops the test host and the lab it started.
  setsid dotnet test tests/Aiops.Lab.Tests -c Release --no-build --logger "console;verbosity=normal" >"$out/run-$i.txt" 2>&1 &
  test_pid=$!
  if wait "$test_pid"; then
    passed=$((passed + 1)); verdict=pass
  else
    verdict=FAIL
  fi
  test_pid=
  summary=$(grep -E "^(Passed|Failed)!" "$out/run-$i.txt" | tail -1 || true)
  echo "run $i/$runs: $verdict in $(( $(date +%s) - started )) s  ${summary}"
done

echo "lab soak: $passed/$runs runs passed"
[ "$passed" -eq "$runs" ]
