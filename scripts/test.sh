#!/usr/bin/env bash
# test.sh: everything CI runs. Static checks, both kernels, every guest;
# ends with "N passed, N failed" over all checks and guest tests.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

: > "$LOGS/times"
start=$SECONDS
passed=0
failed=0
# result NAME OK: count one static check or build.
result() { if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi; }

say "== set-up"
stage "install packages" "$LOGS/deps.log" "$TOP/scripts/deps.sh" || exit 1
stage "base + series -> build/linux" "$LOGS/tree.log" "$TOP/scripts/tree.sh" || exit 1
sed -n 's/^base: /  base: /p; s/^note: /  note: /p; s/^      the archive/        the archive/p' "$LOGS/tree.log"

say "== static checks"
for c in checkpatch kernel-doc sparse-x86_64 sparse-arm64 coccicheck bisect-x86_64 bisect-arm64; do
	stage "$c" "$LOGS/check-$c.log" "$TOP/scripts/check.sh" "$c"
	result "$c" $?
	tail -n 1 "$LOGS/check-$c.log" | sed 's/^/    /'
done

say "== kernels (debug: lockdep, PROVE_RCU, KASAN, kmemleak)"
for arch in x86_64 arm64; do
	stage "build $arch" "$LOGS/build-$arch.log" "$TOP/scripts/build.sh" "$arch"
	rc=$?
	result "build-$arch" $rc
	[ $rc -eq 0 ] && built+=" $arch"
done

say "== guests"
for conf in "$TOP"/guests/*.conf; do
	guest=$(basename "$conf" .conf)
	arch=$(sed -n 's/^ARCH=//p' "$conf")
	case " ${built:-} " in
	*" $arch "*) "$TOP/scripts/guests.sh" "$guest" ;;
	*) say "  guest $guest: not booted, its $arch kernel did not build"; failed=$((failed + 1)); continue ;;
	esac
	r=$(tail -n 1 "$LOGS/result-$guest.txt")
	p=$(sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed/\1/p' <<<"$r")
	f=$(sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed/\2/p' <<<"$r")
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-1}))
done

say "== summary"
say "  total time $((SECONDS - start))s; stage times in build/logs/times"
say "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
