#!/usr/bin/env bash
# test.sh [static|long]: everything CI runs (make test), the set-up and
# the static checks alone (make check), or make test and the guests that
# do not fit CI's budget (make test-long: guests/long/, each on a kernel
# of its own, the builds in Debian's and allmodconfig configurations, and
# the guests after each driver patch). make test: the packages, the
# workbench's own self-test, the tree, the static checks but those of
# check.sh --long-only, both kernels, every guest. Always ends with
# summary.py's verdict, per kind of test, and the line "N passed, N
# failed"; exits non-zero when anything failed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

what=${1:-all}
rm -f "$LOGS/stages.jsonl" "$LOGS"/result-*.json
start=$SECONDS
guests=()

summary() {
	say "== summary"
	say "  total time $((SECONDS - start))s; stage times and logs in ${LOGS#"$TOP"/}/stages.jsonl"
	if command -v python3 >/dev/null; then
		# The kinds of stage this run must have recorded.
		expect=setup,selftest,static
		[ "$what" = static ] || expect=$expect,build,coverage
		[ "$what" != long ] || expect=$expect,config,prefix
		python3 "$TOP/scripts/summary.py" "$LOGS" --expect "$expect" "${guests[@]}"
		exit
	fi
	# No python3: the set-up failed before installing it.
	say "0 passed, 1 failed"
	exit 1
}

say "== set-up"
stage setup "install packages" "$LOGS/deps.log" "$TOP/scripts/deps.sh" || summary
stage selftest "workbench self-test" "$LOGS/selftest.log" python3 "$TOP/scripts/selftest.py"
stage setup "base + series -> build/linux" "$LOGS/tree.log" "$TOP/scripts/tree.sh" || summary
sed -n 's/^base: /  base: /p; s/^note: /  note: /p; s/^      the archive/        the archive/p' "$LOGS/tree.log"

say "== static checks"
# A list that cannot be had is a failed check, not an empty one.
checks=$("$TOP/scripts/check.sh" --list) || checks=
after=$("$TOP/scripts/check.sh" --after-kernels) || checks=
long_only=$("$TOP/scripts/check.sh" --long-only) || checks=
if [ -z "$checks" ]; then
	record static "list the static checks" 1 0 scripts/check.sh
	say "  check.sh --list failed: no static checks run"
fi
# static_check CHECK: run one, its verdict under its stage line.
static_check() {
	stage static "$1" "$LOGS/check-$1.log" "$TOP/scripts/check.sh" "$1"
	tail -n 1 "$LOGS/check-$1.log" | sed 's/^/    /'
}
for c in $checks; do
	# make test builds the debug kernels first for these (check.sh).
	case "$what: $after " in static:*) ;; *" $c "*) continue ;; esac
	case "$what: $long_only " in all:*" $c "*) continue ;; esac
	static_check "$c"
done
[ "$what" = static ] && summary

say "== kernels (debug: lockdep, PROVE_RCU, KASAN, kmemleak)"
confs=("$TOP"/guests/*.conf)
[ "$what" != long ] || confs+=("$TOP"/guests/long/*.conf)
kernels=(x86_64 arm64)
for conf in "${confs[@]}"; do
	k=$(sed -n 's/^KERNEL=//p' "$conf")
	case " ${kernels[*]} " in *" ${k:-x86_64} "*) ;; *) kernels+=("$k") ;; esac
done
built=" "
for k in "${kernels[@]}"; do
	stage build "build $k" "$LOGS/build-$k.log" "$TOP/scripts/build.sh" "$k" &&
		built+="$k "
done

if [ -n "$after" ]; then
	say "== static checks after the kernels"
	for c in $after; do
		case " $checks " in *" $c "*) static_check "$c" ;; esac
	done
fi

say "== guests"
# A guest's results are filed under its name with "/" as "-": two guests
# must not share one.
names=$(for conf in "${confs[@]}"; do c=${conf#"$TOP"/guests/}; c=${c%.conf}; echo "${c//\//-}"; done)
dup=$(sort <<<"$names" | uniq -d)
if [ -n "$dup" ]; then
	record check "guest names are distinct" 1 0 guests
	say "  guests with one result name: $dup"
	summary
fi
for conf in "${confs[@]}"; do
	guest=${conf#"$TOP"/guests/}
	guest=${guest%.conf}
	guests+=("${guest//\//-}")
	k=$(sed -n 's/^KERNEL=//p' "$conf")
	k=${k:-$(sed -n 's/^ARCH=//p' "$conf")}
	case "$built" in
	*" $k "*) "$TOP/scripts/guests.sh" "$guest" ;;
	*) say "  guest $guest: not booted, its $k kernel did not build" ;;
	esac
done

if [ "$what" = long ]; then
	say "== other configurations: Debian's 6.1 kernels, allmodconfig (build/config-builds/)"
	for c in debian-amd64 debian-arm64 debian-i386 allmodconfig-x86_64 allmodconfig-arm64; do
		stage config "$c" "$LOGS/config-$c.log" "$TOP/scripts/config-build.sh" "$c"
		tail -n 1 "$LOGS/config-$c.log" | sed 's/^/    /'
	done
	stage config "patches/abi-changes.txt is current" "$LOGS/abi-changes.log" \
		python3 "$TOP/scripts/abi_changes.py" "$KTREE" "$BUILD/config-builds" \
		--check "$PATCHES/abi-changes.txt"
	say "== guests after each driver patch (build/prefix-guests/)"
	stage prefix "guests after each driver patch" "$LOGS/prefix-guests.log" \
		"$TOP/scripts/prefix-guests.sh"
	tail -n 1 "$LOGS/prefix-guests.log" | sed 's/^/    /'
fi

say "== line coverage (build/coverage/)"
# Every guest that prints its kernel's gcov data ("gcov" in CHECKS).
cov=() objdirs=()
for conf in "${confs[@]}"; do
	grep -qE '^CHECKS=.*\bgcov\b' "$conf" || continue
	guest=${conf#"$TOP"/guests/}
	guest=${guest%.conf}
	k=$(sed -n 's/^KERNEL=//p' "$conf")
	k=${k:-$(sed -n 's/^ARCH=//p' "$conf")}
	cov+=(--guest "${guest//\//-}:$k:$LOGS/guest-${guest//\//-}.log")
	case " ${objdirs[*]} " in *"=$OUT/$k "*) ;; *) objdirs+=(--objdir "$k=$OUT/$k") ;; esac
done
stage coverage "added lines run in the guests" "$LOGS/coverage.log" \
	python3 "$TOP/scripts/coverage.py" --ktree "$KTREE" --out "$BUILD/coverage" \
	--results "$LOGS" "${objdirs[@]}" "${cov[@]}"
tail -n 1 "$LOGS/coverage.log" | sed 's/^/    /'
summary
