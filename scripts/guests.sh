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
	KERNEL='' KCSAN=''
	# shellcheck source=/dev/null
	. "$TOP/guests/$guest.conf"
	KERNEL=${KERNEL:-$ARCH}
	name=${guest//\//-}
	rm -f "$LOGS/guest-$name.log" "$LOGS/result-$name.json" "$LOGS/result-$name.txt"
	run_id=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
	boot=0
	stage boot "boot $guest ($KERNEL)" "$LOGS/boot-$name.log" \
		"$TOP/scripts/boot.sh" "$guest" "$run_id" || boot=$?
	judge=0 series=()
	[ "$KCSAN" != yes ] || series=(--series-functions "$OUT/$KERNEL/series-functions")
	if [ ${#series[@]} -gt 0 ] && ! series_functions "$KERNEL" > "${series[1]}"; then
		say "  guest $guest: cannot list the functions of the series' objects in $KERNEL"
		judge=1
	fi
	[ $judge -ne 0 ] || python3 "$TOP/scripts/results.py" "$TOP/guests/$guest.conf" \
		"$LOGS/guest-$name.log" --run-id "$run_id" --boot-status "$boot" \
		--json "$LOGS/result-$name.json" "${series[@]}" "${demo[@]}" \
		> "$LOGS/result-$name.txt" || judge=$?
	if [ $judge -eq 0 ] && [ $boot -eq 0 ]; then
		say "  guest $guest: $DESCRIPTION"
	else
		say "  guest $guest: $DESCRIPTION -- FAILED (console: ${LOGS#"$TOP"/}/guest-$name.log)"
		rc=1
	fi
	# The details on failure or in the demo; always the totals line.
	if [ ${#demo[@]} -gt 0 ]; then
		sed '$d' "$LOGS/result-$name.txt" | sed 's/^/  /'
	elif [ $judge -ne 0 ]; then
		sed '$d' "$LOGS/result-$name.txt" | grep -v '^  ok ' | sed 's/^/  /' || true
	fi
	tail -n 1 "$LOGS/result-$name.txt" | sed 's/^/  /'
done
exit $rc
