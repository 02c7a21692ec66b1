#!/usr/bin/env bash
# Webhook load test: wrk (Debian's package) POSTs Alertmanager v4 notifications on loopback to a Kestrel host with
# AddAiops() + MapAiopsAlertmanager (benchmarks/Aiops.LoadTest webhook-server), once with every notification new
# ("varied") and once with the same notification repeated ("repeated", acknowledged by the duplicate cache).
# Prints requests/s, alerts/s, p50/p99 latency and the server's memory at the end.
#
# Settings (environment): THREADS=2 CONNECTIONS=32 DURATION=30s WARMUP=5s ALERTS=1 (alerts per notification)
#   MODES="varied repeated" TOKEN= (bearer token; none by default) BUILD_ARGS= (extra dotnet build arguments)
set -euo pipefail
cd "$(dirname "$0")/.."

THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-30s}
WARMUP=${WARMUP:-5s}
ALERTS=${ALERTS:-1}
MODES=${MODES:-varied repeated}
TOKEN=${TOKEN:-}

if ! command -v wrk >/dev/null 2>&1; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update
    $sudo apt-get install -y wrk
fi

# shellcheck disable=SC2086 # BUILD_ARGS is a list of arguments
dotnet build benchmarks/Aiops.LoadTest -c Release -p:SkipPublicApi=true -v quiet -nologo ${BUILD_ARGS:-}
tool=benchmarks/Aiops.LoadTest/bin/Release/net10.0/Aiops.LoadTest.dll

work=$(mktemp -d)
server=""
stop_server() {
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
        kill -TERM "$server"
        wait "$server" || true
    fi
    server=""
}
trap 'stop_server; rm -rf "$work"' EXIT

echo "machine: $(nproc) cores, $(uname -r); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
summary=()
for mode in $MODES; do
    log="$work/server-$mode.log"
    server_args=(webhook-server --port 0)
    if [ -n "$TOKEN" ]; then server_args+=(--token "$TOKEN"); fi
    dotnet "$tool" "${server_args[@]}" >"$log" 2>&1 &
    server=$!
    url=""
    for _ in $(seq 1 300); do
        url=$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$log")
        if [ -n "$url" ]; then break; fi
        if ! kill -0 "$server" 2>/dev/null; then cat "$log"; exit 1; fi
        sleep 0.1
    done
    if [ -z "$url" ]; then echo "the webhook server did not start" >&2; cat "$log"; exit 1; fi

    echo
    echo "== $mode: $ALERTS alert(s) per notification, $THREADS threads, $CONNECTIONS connections, $DURATION (after a $WARMUP warm-up) → $url"
    wrk -t "$THREADS" -c "$CONNECTIONS" -d "$WARMUP" -s eng/wrk/alertmanager.lua "$url" -- "$mode" "$ALERTS" "$TOKEN" >/dev/null
    wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency -s eng/wrk/alertmanager.lua "$url" -- "$mode" "$ALERTS" "$TOKEN" | tee "$work/wrk-$mode.txt"
    stop_server
    sed -n '/^  webhook requests/,$p' "$log"

    line=$(grep '^aiops:' "$work/wrk-$mode.txt")
    value() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$line"; }
    rps=$(value rps)
    summary+=("$(printf '%-9s %12.0f %12.0f %10s %10s %8s' "$mode" "$rps" "$(echo "$rps * $ALERTS" | bc -l)" "$(value p50_ms)" "$(value p99_ms)" "$(value errors)")")
done

echo
echo "mode         requests/s     alerts/s    p50 ms    p99 ms   errors"
printf '%s\n' "${summary[@]}"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if grep -q 'errors=[1-9]' "$work"/wrk-*.txt; then
    echo "some requests failed (non-2xx or socket errors): see wrk's output above" >&2
    exit 1
fi
