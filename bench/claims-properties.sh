#!/usr/bin/env bash
# The claim engine's invariants (src/service/claims_properties.rs) over many more generated
# families and windows than `cargo test` runs: bench/claims-properties.sh [CASES] (default
# 50,000; about 30 s on 2 cores in a debug build). A failure prints the smallest case found.
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-50000}
PROPTEST_CASES="$cases" cargo test --locked --lib claims::properties -- --nocapture
echo "claim invariants held over $cases generated cases"
