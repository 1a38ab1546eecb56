#!/usr/bin/env bash
# guests.sh [--demo] GUEST...: boot each guest and judge its log; the
# per-guest totals go to build/logs/result-GUEST.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

demo=()
[ "${1:-}" = --demo ] && { demo=(--demo); shift; }
rc=0
for guest in "$@"; do
	. "$TOP/guests/$guest.conf"
	stage "boot $guest ($ARCH)" "$LOGS/boot-$guest.log" "$TOP/scripts/boot.sh" "$guest" || rc=1
	if python3 "$TOP/scripts/results.py" "$TOP/guests/$guest.conf" \
		"$LOGS/guest-$guest.log" "${demo[@]}" > "$LOGS/result-$guest.txt"; then
		echo "  guest $guest: $DESCRIPTION"
	else
		echo "  guest $guest: $DESCRIPTION -- FAILED (console: build/logs/guest-$guest.log)"
		rc=1
	fi
	if [ ${#demo[@]} -gt 0 ] || ! tail -n 1 "$LOGS/result-$guest.txt" | grep -q ' 0 failed'; then
		sed -n '$!p' "$LOGS/result-$guest.txt" | sed 's/^/  /'
	fi
	tail -n 1 "$LOGS/result-$guest.txt" | sed 's/^/  /'
done
exit $rc
