#!/usr/bin/env bash
# config-build.sh CONFIG: the series in kernel configurations other than
# the test kernels' (make test-long). CONFIG is one of
#   debian-amd64, debian-arm64, debian-i386
#       Debian's own 6.1 configuration of that architecture (package
#       linux-config-6.1: amd64_none_amd64, arm64_none_arm64,
#       i386_none_686-pae). Built: every directory with C files or
#       private headers the series touches, and every object of the
#       configuration that may include a public header the series
#       changes (scripts/header_users.py). Also
#       fails on any option the series adds that is set there (all of
#       them are test-only), and writes symvers.txt: the exported symbols
#       of those objects whose CRC (CONFIG_MODVERSIONS) changes, that go
#       away or that are new (scripts/symvers.py).
#   allmodconfig-x86_64, allmodconfig-arm64
#       allmodconfig; built: drivers/iommu, drivers/dma/idxd,
#       drivers/misc/uacce and drivers/crypto/hisilicon.
# The base is built first, then the series in the same tree and build
# directory, so that kbuild rebuilds exactly the objects the series
# changes (the ccache replays a cached object's warnings). Fails on an
# error, on a warning the series adds (compared with the base's warnings
# of the same objects) and on an object that builds in the base only.
# Writes build/config-builds/CONFIG/: the findings, the objects, the
# logs, the verdict. Changes to the configurations, none of which
# changes what is compiled or whether a warning is given: Debian's
# without debug info or BTF (compile time) and without trusted or
# revocation keys (Debian's are not in the source); allmodconfig without
# CONFIG_WERROR, so that a warning is counted rather than stopping the
# build.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

what=${1:?usage: config-build.sh debian-amd64|debian-arm64|debian-i386|allmodconfig-x86_64|allmodconfig-arm64}
case "$what" in
debian-amd64) karch=x86_64 srcarch=x86 flavour=amd64_none_amd64 ;;
debian-arm64) karch=arm64 srcarch=arm64 flavour=arm64_none_arm64 ;;
debian-i386) karch=i386 srcarch=x86 flavour=i386_none_686-pae ;;
allmodconfig-x86_64) karch=x86_64 ;;
allmodconfig-arm64) karch=arm64 ;;
*) die "unknown configuration $what" ;;
esac
kind=${what%%-*}
debarch=${what#debian-}
D=$BUILD/config-builds/$what
WT=$BUILD/config-build-tree	# a worktree: the base, then the series
O=$OUT/config-$what
series=$(git -C "$KTREE" rev-parse HEAD)
rm -rf "$D" "$O"
mkdir -p "$D" "$O"

# debian_config: the configuration, from the linux-config-6.1 package of
# that architecture, of the version and sha256 BASE pins (config_ARCH),
# from the archive's pool. Sets config and got.
debian_config() {
	local pin sha deb pool
	pin=$(base_field "config_$debarch")
	[ -n "$pin" ] || die "BASE pins no linux-config-6.1 for $debarch (config_$debarch)"
	got=${pin%% *} sha=${pin#* }
	deb=$BUILD/config-builds/debs/linux-config-6.1_${got}_$debarch.deb
	mkdir -p "$(dirname "$deb")"
	if ! echo "$sha  $deb" | sha256sum -c --status 2>/dev/null; then
		for pool in debian-security/pool/updates debian/pool; do
			curl -sf -o "$deb.part" "http://deb.debian.org/$pool/main/l/linux/$(basename "$deb")" &&
				mv "$deb.part" "$deb" && break
		done
		rm -f "$deb.part"
		echo "$sha  $deb" | sha256sum -c --status 2>/dev/null ||
			die "cannot get $(basename "$deb") with sha256 $sha from the archive"
	fi
	rm -rf "$D/pkg" && dpkg-deb -x "$deb" "$D/pkg"
	config=$D/pkg/usr/src/linux-config-6.1/config.$flavour.xz
	[ -f "$config" ] || die "$(basename "$deb") has no config.$flavour.xz"
}

# xmake ARGS...: make in the worktree, into $O.
xmake() {
	local cross=() cc=gcc
	if [ "$karch" = arm64 ]; then
		cross=(CROSS_COMPILE=aarch64-linux-gnu-)
		cc=aarch64-linux-gnu-gcc
	fi
	make -C "$WT" O="$O" ARCH="$karch" "${cross[@]}" CC="ccache $cc" HOSTCC="ccache gcc" \
		-j"$JOBS" "$@"
}

# configure: the configuration of the worktree's checkout in $O/.config.
# Every step is checked: the caller's "||" turns set -e off in here.
configure() {
	if [ "$kind" = debian ]; then
		xzcat "$config" > "$O/.config" || return 1
		"$WT/scripts/config" --file "$O/.config" \
			--disable DEBUG_INFO_BTF --disable DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT \
			--disable DEBUG_INFO_DWARF4 --disable DEBUG_INFO_DWARF5 \
			--enable DEBUG_INFO_NONE \
			--set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS "" || return 1
		xmake olddefconfig || return 1
		grep -q '^CONFIG_DEBUG_INFO_NONE=y' "$O/.config" || { echo "debug info is still on"; return 1; }
		grep -q '^CONFIG_MODVERSIONS=y' "$O/.config" || { echo "CONFIG_MODVERSIONS is off"; return 1; }
	else
		xmake allmodconfig || return 1
		"$WT/scripts/config" --file "$O/.config" --disable WERROR || return 1
		xmake olddefconfig || return 1
		! grep -q '^CONFIG_WERROR=y' "$O/.config" || { echo "CONFIG_WERROR is still on"; return 1; }
	fi
}


# build NAME: configure and build the directories, then the objects (kbuild
# does not take both in one run); the log, the findings and the objects
# compiled (from the log) to $D/*-NAME. Returns make's status.
build() {
	local name=$1 rc=0 d
	configure > "$D/config-$name.log" 2>&1 ||
		{ cat "$D/config-$name.log"; die "configuring the $name failed"; }
	# shellcheck disable=SC2046
	xmake -k $(for d in $dirs; do echo "$d/"; done) > "$D/build-$name.log" 2>&1 || rc=$?
	# shellcheck disable=SC2086
	[ -z "$objects" ] || xmake -k $objects >> "$D/build-$name.log" 2>&1 || rc=$?
	# Kconfig's warnings (an unmet dependency the series causes) too.
	cat "$D/config-$name.log" "$D/build-$name.log" |
		python3 "$TOP/scripts/findings.py" build > "$D/findings-$name" ||
		die "findings.py failed on the $name's log"
	sed -nE 's/^  (CC|AS)( \[M\])? +([^ ]+\.o)$/\3/p' "$D/build-$name.log" | sort -u > "$D/compiled-$name"
	return $rc
}

# configured NAME: the objects the checkout builds in this configuration,
# from make's dry run in a build directory of its own, configured and
# prepared but with nothing built (a dry run lists only what is out of
# date), to $D/configured-NAME.
configured() {
	local O=$O-dry
	rm -rf "$O" && mkdir -p "$O"
	configure > "$D/config-dry-$1.log" 2>&1 || { cat "$D/config-dry-$1.log"; die "configuring the $1 failed"; }
	xmake prepare > "$D/prepare-$1.log" 2>&1 || { tail -n 20 "$D/prepare-$1.log"; die "make prepare failed ($1)"; }
	xmake -n -k vmlinux modules 2> "$D/dry-run-$1.err" |
		grep -oE ' -c -o [^ ]+\.o ' | awk '{ print $3 }' | sort -u > "$D/configured-$1" || true
	[ -s "$D/configured-$1" ] || { tail -n 20 "$D/dry-run-$1.err"; die "make -n listed no objects ($1)"; }
	rm -rf "$O"
}
# in_targets NAME: the objects of $D/configured-NAME that the targets build.
in_targets() {
	awk -v dirs="$dirs" -v objs="$objects" '
		BEGIN { n = split(dirs, d, " "); m = split(objs, o, " "); for (i = 1; i <= m; i++) want[o[i]] = 1 }
		{ if ($0 in want) { print; next } for (i = 1; i <= n; i++) if (index($0, d[i] "/") == 1) { print; next } }
	' "$D/configured-$1"
}

worktree_at base
[ "$kind" != debian ] || debian_config
configure > "$D/config-base.log" 2>&1 || { cat "$D/config-base.log"; die "configuring the base failed"; }
configured base

# What to build, the same for both.
if [ "$kind" = debian ]; then
	headers=$(git -C "$KTREE" diff --name-only base "$series" -- include/ "arch/$srcarch/include/")
	[ -n "$headers" ] || die "the series changes no public header"
	# shellcheck disable=SC2086
	python3 "$TOP/scripts/header_users.py" "$KTREE" "$srcarch" $headers > "$D/candidates" ||
		die "header_users.py failed"
	# The candidates this configuration builds.
	objects=$(comm -12 <(sed 's/\.c$/.o/' "$D/candidates" | sort) "$D/configured-base")
	[ -n "$objects" ] || die "no object of the configuration may include $(echo $headers)"
	label="Debian $debarch ($flavour, linux-config-6.1 $got)"
else
	objects=
	label="allmodconfig $karch"
fi
# Directories with a C file or a private header the series changes, the
# outermost only (make DIR/ builds its subdirectories).
dirs=$(git -C "$KTREE" diff --name-only --diff-filter=d base "$series" -- '*.c' '*.h' \
	':(exclude)tools/' ':(exclude)include/' ':(exclude)arch/*/include/' |
	xargs -rn1 dirname | sort -u |
	awk '{ for (i = 1; i <= n; i++) if (index($0, d[i] "/") == 1) next; d[++n] = $0; print }')
# allmodconfig: those and the API's users.
[ "$kind" = debian ] || dirs=$(printf '%s\n' $dirs drivers/iommu drivers/dma/idxd drivers/misc/uacce \
	drivers/crypto/hisilicon | sort -u |
	awk '{ for (i = 1; i <= n; i++) if (index($0, d[i] "/") == 1) next; d[++n] = $0; print }')
# shellcheck disable=SC2086
printf '%s\n' $dirs $objects > "$D/targets"

s=$SECONDS
build base || { grep -E 'error|Error' "$D/build-base.log" | tail -n 20; die "the base does not build in $label"; }
t_base=$((SECONDS - s))
in_targets base > "$D/objects-base"
[ -s "$D/objects-base" ] || die "the targets build no object of the configuration"
# Every object the base was to build, it built (the build directory was
# empty: each was compiled, ccache or not).
missed=$(comm -23 "$D/objects-base" "$D/compiled-base")
[ -z "$missed" ] || die "the base's build did not compile: $(echo $missed | cut -c1-300)"
[ "$kind" != debian ] || python3 "$TOP/scripts/symvers.py" dump "$O" "$D/objects-base" > "$D/symvers-base" ||
	die "symvers.py failed on the base"

worktree_at "$series"
s=$SECONDS
build series || { grep -E 'error|Error' "$D/build-series.log" | tail -n 20; die "the series does not build in $label"; }
t_series=$((SECONDS - s))
configured series
in_targets series > "$D/objects-series"

bad=0
# The base's warnings of the objects the series compiled again.
python3 "$TOP/scripts/findings.py" new "$D/findings-base" "$D/findings-series" > "$D/new-findings" ||
	die "findings.py failed comparing the findings"
if [ -s "$D/new-findings" ]; then
	echo "new warnings:"
	cat "$D/new-findings"
	bad=1
fi
# An object the configuration no longer builds (its option gone, its
# Makefile line changed) is lost; a build error has stopped us above.
lost=$(comm -23 "$D/objects-base" "$D/objects-series")
if [ -n "$lost" ]; then
	echo "objects the base builds and the series does not:"
	echo "$lost"
	bad=1
fi
absent=$(while read -r f; do [ -f "$O/$f" ] || echo "$f"; done < "$D/objects-series")
[ -z "$absent" ] || die "objects of the series that are not built: $(echo $absent | cut -c1-300)"
verdict="$label: base $(wc -l < "$D/compiled-base") objects compiled (${t_base}s), series $(wc -l < "$D/compiled-series") compiled again (${t_series}s)"
if [ "$kind" = debian ]; then
	added_opts=$(git -C "$KTREE" diff base "$series" -- '*Kconfig*' |
		sed -n 's/^+[[:space:]]*\(menu\)\{0,1\}config \([A-Z0-9_]*\).*/\2/p' | sort -u)
	[ -n "$added_opts" ] || die "found no option that the series adds"
	on=$(for c in $added_opts; do grep -E "^CONFIG_$c=" "$O/.config" || true; done)
	if [ -n "$on" ]; then
		echo "options of the series set in Debian's configuration:"
		echo "$on"
		bad=1
	fi
	# The objects that really include a changed header: the compiler's
	# dependency lists (kbuild's .o.cmd files).
	users=$(cd "$O" && for h in $headers; do grep -rlF --include="*.o.cmd" "/$h" . || true; done | sort -u | wc -l)
	python3 "$TOP/scripts/symvers.py" dump "$O" "$D/objects-series" > "$D/symvers-series" ||
		die "symvers.py failed on the series"
	python3 "$TOP/scripts/symvers.py" diff "$D/symvers-base" "$D/symvers-series" > "$D/symvers.txt" ||
		die "symvers.py diff failed"
	verdict+="; $(wc -l < "$D/candidates") files may include $(echo $headers), $(echo $objects | wc -w) of them configured, $users include one"
	verdict+="; $(echo $added_opts | wc -w) options of the series, $(grep -c . <<<"$on" || true) set"
	verdict+="; exported symbols: $(sed -n 's/^# //p' "$D/symvers.txt")"
fi
[ "$kind" != debian ] || { echo "$label" > "$D/label"; echo "$series" > "$D/series-commit"; }
verdict+="; findings base $(wc -l < "$D/findings-base"), series $(wc -l < "$D/findings-series"), new $(grep -c . "$D/new-findings" || true)"
echo "$verdict" | tee "$D/verdict"
exit $bad
