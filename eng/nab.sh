#!/usr/bin/env bash
# Scores the NAB corpus with each detector (default: all) and prints NAB's normalised scores per profile.
# Detectors: catalogue names (ensemble, contextual) or building blocks as block:NAME (block:robust-zscore, block:seasonal,
# block:spectral-residual), each wrapped in a CalibratedDetector; building blocks are for measurement only.
# Usage: eng/nab.sh [detector ...]        NAB's protocol (best threshold chosen on the scored files). Output: artifacts/nab/<detector>/.
#        eng/nab.sh --cv [detector ...]   Leave-one-category-out cross-validation: in-sample, cross-validated and default-sensitivity scores.
# Corpus: $NAB_DIR (default ../shared/data/nab).
set -euo pipefail
cd "$(dirname "$0")/.."
nab_dir=${NAB_DIR:-../shared/data/nab}
[ -d "$nab_dir/data" ] || { echo "NAB corpus not found at $nab_dir (set NAB_DIR)" >&2; exit 2; }
dotnet build samples/Aiops.Backtest -c Release -v quiet -nologo
cli=(dotnet run -c Release --no-build --project samples/Aiops.Backtest --)
if [ "${1:-}" = "--cv" ]; then
  shift
  args=()
  for detector in "$@"; do args+=(--detector "$detector"); done
  exec "${cli[@]}" cv --data "$nab_dir/data" --labels "$nab_dir/labels/combined_windows.json" --profiles "$nab_dir/profiles.json" "${args[@]}"
fi

detectors=("$@")
[ ${#detectors[@]} -gt 0 ] || detectors=(ensemble contextual)
for detector in "${detectors[@]}"; do
  out="artifacts/nab/${detector/:/-}"
  rm -rf "$out"
  "${cli[@]}" score --data "$nab_dir/data" --out "$out" --detector "$detector"
  echo "== $detector"
  "${cli[@]}" nab --results "$out" --labels "$nab_dir/labels/combined_windows.json" --profiles "$nab_dir/profiles.json"
done
