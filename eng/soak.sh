#!/usr/bin/env bash
# Soak test of the hosted pipeline: the whole AddAiops host behind its Alertmanager webhook on loopback, a steady stream
# of noise alerts (5,000/s in payloads of 100, repeated every second, a new generation on other services every minute,
# the old one resolved) mixed with an incident every 30 s that a rule remediates, on a durable directory (audit log and
# episode store). Passes when the heap after a full collection is flat (second half of the run within 10 % of the first,
# after a warm-up of a third of the run, at most 15 min, while the bounded caches fill), every incident got a decision and no response was a 5xx.
#
# Usage: eng/soak.sh [duration]   duration in seconds, or with a unit: 600, 10m, 1h (default 1h, at least 60 s)
# Settings (environment): RATE=5000 (alerts/s)  INCIDENT_EVERY=30 (s)  BUILD_ARGS= (extra dotnet build arguments)
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-1h}
case "$duration" in
    *h) seconds=$(( ${duration%h} * 3600 )) ;;
    *m) seconds=$(( ${duration%m} * 60 )) ;;
    *s) seconds=${duration%s} ;;
    *) seconds=$duration ;;
esac

# shellcheck disable=SC2086 # BUILD_ARGS is a list of arguments
dotnet build benchmarks/Aiops.LoadTest -c Release -p:SkipPublicApi=true -v quiet -nologo ${BUILD_ARGS:-}
echo "machine: $(nproc) cores, $(uname -r); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
dotnet benchmarks/Aiops.LoadTest/bin/Release/net10.0/Aiops.LoadTest.dll soak \
    --seconds "$seconds" --rate "${RATE:-5000}" --incident-every "${INCIDENT_EVERY:-30}" || status=$?
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
