#!/usr/bin/env bash
# bench.sh: make bench. Build the x86_64 benchmark kernel, boot it on 2 and
# on 4 vCPUs (guests/bench/), and have bench.py write the table, the plot
# and the summary line under build/bench/. Fails only when the benchmark
# could not run or measure; the bars are reported, not enforced.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

rm -f "$LOGS/stages.jsonl"
start=$SECONDS
say "== set-up"
stage setup "install packages" "$LOGS/deps.log" "$TOP/scripts/deps.sh" bench || exit 1
stage setup "base + series -> build/linux" "$LOGS/tree.log" "$TOP/scripts/tree.sh" || exit 1
say "== benchmark kernel (configs/bench.config)"
stage build "build x86_64-bench" "$LOGS/build-x86_64-bench.log" \
	"$TOP/scripts/build.sh" x86_64-bench || exit 1
say "== benchmark guests"
consoles=()
for conf in "$TOP"/guests/bench/*.conf; do
	guest=bench/$(basename "$conf" .conf)
	run_id=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
	stage boot "boot $guest" "$LOGS/boot-${guest//\//-}.log" \
		"$TOP/scripts/boot.sh" "$guest" "$run_id" || exit 1
	console=$LOGS/guest-${guest//\//-}.log
	grep -q "^# guest run $run_id.\?\$" "$console" ||
		die "$console is not from this boot (no run id $run_id)"
	consoles+=("$console")
done
say "== results (build/bench/table.txt, build/bench/lookup.png)"
python3 "$TOP/scripts/bench.py" "$BUILD/bench" "${consoles[@]}"
rc=$?
say "  total time $((SECONDS - start))s"
exit $rc
