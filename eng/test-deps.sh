#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, only when missing (needs root, or sudo, only then). The README's test
# command, which .ci/run runs, is `eng/test-deps.sh && dotnet test Aiops.sln -c Release`.
#   chromium                          the dashboard's headless-browser tests (driven by Microsoft.Playwright)
#   prometheus, prometheus-alertmanager   the lab's end-to-end test and promtool/amtool checks of its configuration
#   docker-compose                    `docker-compose config -q` of the lab's compose file (v1.29; no engine is needed)
#   redis-server                      the Orleans cluster tests' shared store (clustering and grain storage), started per test
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(chromium prometheus prometheus-alertmanager docker-compose redis-server)
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
