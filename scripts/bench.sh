#!/usr/bin/env bash
# bench.sh: make bench. Build the x86_64 benchmark kernel, boot it on 2 and
# on 4 vCPUs (guests/bench/), and have bench.py write the table, the plot
# and the summary line under build/bench/. Then the kernel's DMA map
# benchmark behind emulated VT-d (guests/dma-bench/): the benchmark kernel
# is built again from the series up to its VT-d patches, the two kernels
# are booted alternately, and dma_bench.py writes build/bench/dma-map.txt.
# Fails only when a benchmark could not run or measure; the bars are
# reported, not enforced.
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

# The first of the series' VT-d patches for kernel DMA domains on PASIDs
# (32-39): "before" is the series up to it, with its SVA patches for VT-d.
vtd_first="iommu/vt-d: Drain page requests of a PASID whatever its domain"
say "== DMA map benchmark, before and after the VT-d patches"
first=$(git -C "$KTREE" log --format='%H %s' base..HEAD |
	awk -v s="$vtd_first" 'substr($0, 42) == s { print $1 }')
[ -n "$first" ] || die "no patch \"$vtd_first\" in the series"
before_tree=$BUILD/bench-tree
before_out=$OUT/x86_64-bench-before
if [ -e "$before_tree/.git" ]; then
	git -C "$before_tree" checkout -q --force --detach "$first^" ||
		die "cannot check out the series before its VT-d patches in $before_tree"
else
	git -C "$KTREE" worktree prune
	git -C "$KTREE" worktree add -q --detach "$before_tree" "$first^" ||
		die "cannot make $before_tree"
fi
# The kernel of the series before its VT-d patches, exactly: build.sh and
# boot.sh judge a kernel by the tree it names, so the tree must be right.
[ "$(git -C "$before_tree" rev-parse HEAD)" = "$(git -C "$KTREE" rev-parse "$first^")" ] &&
	[ -z "$(git -C "$before_tree" status --porcelain --untracked-files=no)" ] ||
	die "$before_tree is not the series before its VT-d patches"
stage build "build x86_64-bench before the VT-d patches" \
	"$LOGS/build-x86_64-bench-before.log" \
	env KTREE="$before_tree" BUILD_OUT="$before_out" \
	"$TOP/scripts/build.sh" x86_64-bench || exit 1
pairs=()
for round in 1 2 3 4 5; do
	for side in before after; do
		run_id=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
		envs=()
		[ $side = after ] || envs=(KTREE="$before_tree" BUILD_OUT="$before_out")
		stage boot "boot dma-bench/vtd-strict, $side, round $round" \
			"$LOGS/boot-dma-bench-$side-$round.log" \
			env "${envs[@]}" "$TOP/scripts/boot.sh" dma-bench/vtd-strict "$run_id" || exit 1
		console=$BUILD/bench/dma-$side-$round.log
		mv "$LOGS/guest-dma-bench-vtd-strict.log" "$console"
		grep -q "^# guest run $run_id.\?\$" "$console" ||
			die "$console is not from this boot (no run id $run_id)"
		pairs+=("$console")
	done
done
python3 "$TOP/scripts/dma_bench.py" "$BUILD/bench/dma-map.txt" "${pairs[@]}" || rc=1
say "  total time $((SECONDS - start))s"
exit $rc
