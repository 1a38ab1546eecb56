#!/usr/bin/env bash
# prefix-guests.sh: the guests after each driver patch (make test-long).
# A driver patch changes drivers/iommu/intel/, drivers/iommu/arm/,
# drivers/dma/idxd/ or drivers/misc/uacce/. After each but the last patch
# of the series (make test boots that), in a worktree at that commit
# (build/prefix-tree), the guests that run that driver's code boot on the
# debug kernel of that commit (build.sh with KTREE= and BUILD_OUT=
# build/out/prefix-KERNEL, rebuilt incrementally from one patch to the
# next): vtd after a VT-d patch, smmuv3 after an SMMUv3 patch, mock after
# an idxd or uacce patch (its idxd suite; no guest has a uacce device).
# Each is judged by results.py as in make test, with the expectations of
# that commit (scripts/prefix_conf.py: the suites, selftests and
# expected warnings it has). Console logs: build/logs/guest-prefix-N-GUEST.log;
# results: build/prefix-guests/. Prints one line per boot and a total;
# fails if a kernel did not build or a guest failed. FROM=N starts at
# patch N (to resume a run; the boots before N are not repeated and their
# results in build/prefix-guests/ are kept).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

WT=$BUILD/prefix-tree
D=$BUILD/prefix-guests
FROM=${FROM:-1}
[[ $FROM =~ ^[1-9][0-9]*$ ]] || die "FROM=$FROM: a patch number (1 is the first)"
[ "$FROM" -gt 1 ] || rm -rf "$D"
mkdir -p "$D"

# A commit's guests, by the drivers it changes.
guests_of() {
	local files
	files=$(git -C "$KTREE" diff-tree --no-commit-id --name-only -r "$1")
	! grep -q '^drivers/iommu/intel/' <<<"$files" || echo vtd
	! grep -q '^drivers/iommu/arm/' <<<"$files" || echo smmuv3
	! grep -qE '^drivers/(dma/idxd|misc/uacce)/' <<<"$files" || echo mock
}

commits=$(git -C "$KTREE" rev-list --reverse base..HEAD)
last=$(git -C "$KTREE" rev-parse HEAD)
n=0 passed=0 failed=0 i=0
for c in $commits; do
	i=$((i + 1))
	[ "$c" != "$last" ] || break
	[ $i -ge "$FROM" ] || continue
	guests=$(guests_of "$c")
	[ -n "$guests" ] || continue
	worktree_at "$c"
	subject=$(git -C "$KTREE" log -1 --format=%s "$c")
	for g in $guests; do
		n=$((n + 1))
		name=prefix-$i-$g
		conf=$D/$name.conf
		python3 "$TOP/scripts/prefix_conf.py" "$TOP/guests/$g.conf" "$KTREE" "$c" > "$conf" ||
			die "prefix_conf.py failed for $g at patch $i"
		kernel=$(sed -n 's/^KERNEL=//p' "$conf" | tail -n 1)
		kernel=${kernel:-$(sed -n 's/^ARCH=//p' "$conf" | tail -n 1)}
		out=$OUT/prefix-$kernel
		verdict=FAILED
		if ! KTREE=$WT BUILD_OUT=$out "$TOP/scripts/build.sh" "$kernel" > "$D/build-$i-$kernel.log" 2>&1; then
			say "patch $i ($subject): $g: FAILED, the $kernel kernel did not build (${D#"$TOP"/}/build-$i-$kernel.log)"
			failed=$((failed + 1))
			continue
		fi
		run_id=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
		boot=0
		GUEST_CONF=$conf KTREE=$WT BUILD_OUT=$out "$TOP/scripts/boot.sh" "$name" "$run_id" \
			> "$D/boot-$name.log" 2>&1 || boot=$?
		if python3 "$TOP/scripts/results.py" "$conf" "$LOGS/guest-$name.log" --run-id "$run_id" \
			--boot-status "$boot" --json "$D/result-$name.json" > "$D/result-$name.txt" 2>&1; then
			verdict=ok
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
		fi
		say "patch $i ($subject): $g: $verdict, $(tail -n 1 "$D/result-$name.txt")"
	done
done
[ $n -gt 0 ] || die "no driver patch in the series from patch $FROM on"
say "guests after $n driver-patch boots: $passed passed, $failed failed"
[ $failed -eq 0 ]
