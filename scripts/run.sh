#!/usr/bin/env bash
# run.sh: the demo. Set up, build the x86_64 debug kernel, boot the mock
# guest and show PASID attach at work, then a one-screen summary that ends
# with summary.py's "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

rm -f "$LOGS/stages.jsonl" "$LOGS"/result-*.json
start=$SECONDS
guests=()
summary() {
	say ""
	say "== summary"
	if [ -f "$LOGS/tree.log" ] && grep -q '^base: ' "$LOGS/tree.log"; then
		say "  base:    $(sed -n 's/^base: //p' "$LOGS/tree.log") (sha256 $(sed -n 's/^sha256: //p' "$LOGS/tree.log" | cut -c1-16)...)"
		sed -n 's/^note: /  note:    /p' "$LOGS/tree.log"
		say "  series:  $(series_patches | wc -l) patches applied with zero fuzz (build/linux, tag base)"
	fi
	if [ ${#guests[@]} -gt 0 ]; then
		say "  kernel:  build/out/x86_64/arch/x86/boot/bzImage, x86_64 debug kernel"
		say "  logs:    build/logs/ (guest console: build/logs/guest-mock.log)"
	fi
	say "  time:    $((SECONDS - start))s"
	say "  next:    'make test' runs the static checks, both architectures and all guests"
	if command -v python3 >/dev/null; then
		python3 "$TOP/scripts/summary.py" "$LOGS" --expect setup,build "${guests[@]}"
		exit
	fi
	say "0 passed, 1 failed"
	exit 1
}

say "== set-up"
stage setup "install packages" "$LOGS/deps.log" "$TOP/scripts/deps.sh" || summary
stage setup "base + series -> build/linux" "$LOGS/tree.log" "$TOP/scripts/tree.sh" || summary
stage build "build x86_64 debug kernel" "$LOGS/build-x86_64.log" "$TOP/scripts/build.sh" x86_64 || summary

. "$TOP/guests/mock.conf"
say ""
say "== PASID attach in the mock guest: $DESCRIPTION"
say "   The core attaches domains to PASIDs of mock devices (platform devices"
say "   iommu-mock.N.auto); the mock driver records every call it receives, and"
say "   each test checks those calls, the errno returned and what lock-free"
say "   lookups see. The guest kernel runs lockdep, PROVE_RCU, KASAN and kmemleak."
guests=(mock)
"$TOP/scripts/guests.sh" --demo mock
summary
