#!/usr/bin/env bash
# Records every new public symbol of the packable projects in PublicAPI.Unshipped.txt (the analyzer's own code fix).
set -euo pipefail
cd "$(dirname "$0")/.."
for proj in src/*/*.csproj; do
  dotnet format analyzers "$proj" --diagnostics RS0016
done
