#!/usr/bin/env bash
# The test command: restores (locked), builds, runs every test project, and ends with "N passed, N failed".
# Nothing needs to be installed beyond the .NET SDK: the embedded stores run in-process.
set -euo pipefail
cd "$(dirname "$0")/.."

results="artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
log="$results/dotnet-test.log"

dotnet restore ZinTrust.Orleans.sln --locked-mode
dotnet build ZinTrust.Orleans.sln --no-restore -nologo -clp:ErrorsOnly

set +e
dotnet test --solution ZinTrust.Orleans.sln --no-build --results-directory "$PWD/$results" --report-xunit-trx 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# The runner's closing summary: "total: N", "failed: N", "succeeded: N", "skipped: N".
count() { grep -E "^\s+$1: [0-9]+" "$log" | tail -n 1 | grep -oE '[0-9]+' || echo 0; }
passed=$(count succeeded)
failed=$(count failed)
skipped=$(count skipped)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The run broke before it could count (a crash, or no test ran): never report that as a pass.
  failed=1
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
