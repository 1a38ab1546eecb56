#!/usr/bin/env bash
# run.sh: the demo. Set up, build the x86_64 debug kernel, boot the mock
# guest and show PASID attach at work, then a one-screen summary.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

: > "$LOGS/times"
start=$SECONDS
say "== set-up"
stage "install packages" "$LOGS/deps.log" "$TOP/scripts/deps.sh" || exit 1
stage "base + series -> build/linux" "$LOGS/tree.log" "$TOP/scripts/tree.sh" || exit 1
stage "build x86_64 debug kernel" "$LOGS/build-x86_64.log" "$TOP/scripts/build.sh" x86_64 || exit 1

. "$TOP/guests/mock.conf"
say ""
say "== PASID attach in the mock guest: $DESCRIPTION"
say "   The core attaches domains to PASIDs of mock devices (platform devices"
say "   iommu-mock.N.auto); the mock driver records every call it receives, and"
say "   each test checks those calls, the errno returned and what lock-free"
say "   lookups see. The guest kernel runs lockdep, PROVE_RCU, KASAN and kmemleak."
"$TOP/scripts/guests.sh" --demo mock
rc=$?

say ""
say "== summary"
say "  base:    $(sed -n 's/^base: //p' "$LOGS/tree.log") (sha256 $(sed -n 's/^sha256: //p' "$LOGS/tree.log" | cut -c1-16)...)"
sed -n 's/^note: /  note:    /p' "$LOGS/tree.log"
say "  series:  $(grep -vc '^#' "$PATCHES/series") patches applied with zero fuzz (build/linux, tag base)"
say "  kernel:  build/out/x86_64/arch/x86/boot/bzImage, x86_64 debug kernel"
say "  guest:   mock: $(tail -n 1 "$LOGS/result-mock.txt" | sed 's/^mock: //')"
say "  logs:    build/logs/ (guest console: build/logs/guest-mock.log)"
say "  time:    $((SECONDS - start))s"
say "  next:    'make test' runs the static checks, both architectures and all guests"
exit $rc
