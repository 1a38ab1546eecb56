#!/usr/bin/env bash
# guests.sh [--demo] GUEST...: boot each guest and judge its log. The
# verdict of each goes to build/logs/result-GUEST.json (summary.py reads
# it) and the screen. A guest whose boot failed fails, whatever its log
# says; a log or result from an earlier boot is never judged.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

demo=()
[ "${1:-}" = --demo ] && { demo=(--demo); shift; }
rc=0
for guest in "$@"; do
	[ -f "$TOP/guests/$guest.conf" ] || die "no guest $guest (guests/*.conf)"
	# shellcheck source=/dev/null
	. "$TOP/guests/$guest.conf"
	rm -f "$LOGS/guest-$guest.log" "$LOGS/result-$guest.json" "$LOGS/result-$guest.txt"
	run_id=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
	boot=0
	stage boot "boot $guest ($ARCH)" "$LOGS/boot-$guest.log" \
		"$TOP/scripts/boot.sh" "$guest" "$run_id" || boot=$?
	judge=0
	python3 "$TOP/scripts/results.py" "$TOP/guests/$guest.conf" "$LOGS/guest-$guest.log" \
		--run-id "$run_id" --boot-status "$boot" --json "$LOGS/result-$guest.json" \
		"${demo[@]}" > "$LOGS/result-$guest.txt" || judge=$?
	if [ $judge -eq 0 ] && [ $boot -eq 0 ]; then
		say "  guest $guest: $DESCRIPTION"
	else
		say "  guest $guest: $DESCRIPTION -- FAILED (console: ${LOGS#"$TOP"/}/guest-$guest.log)"
		rc=1
	fi
	# The details on failure or in the demo; always the totals line.
	if [ ${#demo[@]} -gt 0 ]; then
		sed '$d' "$LOGS/result-$guest.txt" | sed 's/^/  /'
	elif [ $judge -ne 0 ]; then
		sed '$d' "$LOGS/result-$guest.txt" | grep -v '^  ok ' | sed 's/^/  /' || true
	fi
	tail -n 1 "$LOGS/result-$guest.txt" | sed 's/^/  /'
done
exit $rc
