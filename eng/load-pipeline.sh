#!/usr/bin/env bash
# In-process load test of the hosted pipeline (benchmarks/Aiops.LoadTest): end-to-end samples/s without drops
# ("pipeline"), then memory at 10x that rate with FullMode DropOldest ("overload").
#
# Settings (environment): SERIES=10000 POINTS=500 DETECTOR=ensemble DURATION=30 (seconds of overload) WRITERS=2 BUILD_ARGS= (extra build arguments)
set -euo pipefail
cd "$(dirname "$0")/.."

SERIES=${SERIES:-10000}
POINTS=${POINTS:-500}
DETECTOR=${DETECTOR:-ensemble}
DURATION=${DURATION:-30}
WRITERS=${WRITERS:-2}

# shellcheck disable=SC2086 # BUILD_ARGS is a list of arguments
dotnet build benchmarks/Aiops.LoadTest -c Release -p:SkipPublicApi=true -v quiet -nologo ${BUILD_ARGS:-}
tool=benchmarks/Aiops.LoadTest/bin/Release/net10.0/Aiops.LoadTest.dll
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "machine: $(nproc) cores, $(uname -r); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
dotnet "$tool" pipeline --series "$SERIES" --points "$POINTS" --detector "$DETECTOR" | tee "$out"
rate=$(sed -n 's/^  samples\/s end to end *\([0-9,]*\).*/\1/p' "$out" | tr -d ,)
echo
dotnet "$tool" overload --rate $((rate * 10)) --writers "$WRITERS" --seconds "$DURATION" --series "$SERIES" --detector "$DETECTOR"
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
