#!/usr/bin/env bash
# The test command: installs (when missing) and starts Redis, a 3-node Redis Cluster and PostgreSQL on 127.0.0.1,
# installs Chromium for the browser tests, restores (locked), builds, runs every test project against them, stops them,
# and ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
source infra/lib.sh

cleanup() {
  infra/redis.sh stop || true
  infra/redis-cluster.sh stop || true
  infra/postgres.sh stop || true
}
trap cleanup EXIT
infra/redis.sh start
infra/redis-cluster.sh start
infra/postgres.sh start
# The browser tests drive Debian's Chromium through Playwright (ZT_CHROMIUM names another binary).
if [ -z "${ZT_CHROMIUM:-}" ]; then
  ensure_packages chromium
fi
export ZT_TEST_REDIS="127.0.0.1:$ZT_REDIS_PORT${ZT_REDIS_PASSWORD:+,password=$ZT_REDIS_PASSWORD}"
export ZT_TEST_POSTGRES
ZT_TEST_POSTGRES="$(infra/postgres.sh url)"
# The Redis Cluster's seed endpoints (the cluster-mode tests of the Redis job store; they also restart one of its nodes).
export ZT_TEST_REDIS_CLUSTER
ZT_TEST_REDIS_CLUSTER="$(infra/redis-cluster.sh url)"
export ZT_REDIS_PORT ZT_PG_PORT

results="artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
log="$results/dotnet-test.log"

if ! dotnet restore ZinTrust.Orleans.sln --locked-mode || ! dotnet build ZinTrust.Orleans.sln --no-restore -nologo -clp:ErrorsOnly; then
  echo "0 passed, 1 failed (the build failed; see above)"
  exit 1
fi

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
if [ -s "$results/fault-ledgers.txt" ]; then
  echo "Fault scenarios (each ledger must show lost=0 duplicated-without-fault=0 double-terminal=0 stale-commit=0 token-reuse=0):"
  cat "$results/fault-ledgers.txt"
fi
# The failed tests again, with the start of their messages, last: CI keeps only the tail of long output.
if [ "$failed" -gt 0 ]; then
  echo "Failed tests:"
  for trx in "$results"/*.trx; do
    [ -e "$trx" ] || continue
    # perl-base is part of every Debian system; a TRX file may hold all its results on one line.
    perl -0777 -ne '
      while (/<UnitTestResult\b([^>]*[^\/])>(.*?)<\/UnitTestResult>/sg) {
        my ($attributes, $body) = ($1, $2);
        next unless $attributes =~ /outcome="Failed"/;
        my ($name) = $attributes =~ /testName="([^"]*)"/;
        my ($message) = $body =~ /<Message>(.*?)<\/Message>/s;
        $message = ($message // "") =~ s/&lt;/</gr =~ s/&gt;/>/gr =~ s/&quot;/"/gr =~ s/&apos;/\x27/gr =~ s/&amp;/&/gr;
        my @lines = split /\n/, $message;
        print "  - $name\n";
        print "      $_\n" for @lines[0 .. ($#lines < 11 ? $#lines : 11)];
      }
    ' "$trx"
  done
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
