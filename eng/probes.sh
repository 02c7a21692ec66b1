#!/usr/bin/env bash
# Runs the standard battery of fault probes (samples/Aiops.Backtest `probe`) against a detector (default: ensemble) and prints
# one line per probe: how many of the seeded series flagged the fault, and the flags before it. Compare two trees by running
# it in each. Usage: eng/probes.sh [detector]   (a catalogue name, block:NAME or combo:A+B)
set -euo pipefail
cd "$(dirname "$0")/.."
detector=${1:-ensemble}
dotnet build samples/Aiops.Backtest -c Release -v quiet -nologo
cli=(dotnet run -c Release --no-build --project samples/Aiops.Backtest -- probe --detector "$detector")
probe() {
  local out
  out=$("${cli[@]}" "$@")
  echo "$* :: $(grep -F -- "$detector:" <<<"$out" | tail -1)"
}
probe --at 2880
probe --at 2880 --sigmas 4
probe --at 2880 --kind shift --sigmas 3
probe --base DailyPattern --at 2880 --sigmas 3
probe --base DailyPattern --at 2880 --kind shift --sigmas 2
probe --base RandomWalkLoad --at 2880 --kind shift --sigmas 4
probe --base RandomWalkLoad --at 2880 --sigmas 6
probe --base HeavyTailedNoise --at 2880 --sigmas 10
probe --base SeasonalBursts --at 2880 --kind outage
probe --base StationaryNoise --at 2880 --kind flatline
probe --at 600 --repeats 12 --every 1000 --series 30
probe --base IrregularSteps --at 600 --kind shift --sigmas 4
probe --base DailyPattern --sampling gaps --at 2880 --sigmas 3 --series 40
probe --base DailyPattern --sampling gaps --at 2880 --kind shift --sigmas 2 --series 40
probe --base DailyPattern --sampling irregular --at 2880 --sigmas 3 --series 40
probe --base DailyPattern --sampling irregular --at 2880 --kind shift --sigmas 2 --series 40
probe --step 1 --at 3000
probe --step 60 --at 5000 --kind shift --sigmas 3
