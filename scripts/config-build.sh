#!/usr/bin/env bash
# config-build.sh CONFIG: the series in kernel configurations other than
# the test kernels' (make test-long). CONFIG is one of
#   debian-amd64, debian-arm64, debian-i386
#       Debian's own 6.1 configuration of that architecture (package
#       linux-config-6.1: amd64_none_amd64, arm64_none_arm64,
#       i386_none_686-pae). Built: every directory with C files the series
#       touches, and every object of the configuration that may include a
#       public header the series changes (scripts/header_users.py). Also
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
# that architecture: the base's version if the archive still has it, else
# the newest it has (said in the verdict). Sets config and got.
debian_config() {
	local version debs deb lists aptopts
	version=$(base_field version)
	debs=$BUILD/config-builds/debs
	mkdir -p "$debs"
	deb=$debs/linux-config-6.1_${version}_$debarch.deb
	if [ ! -s "$deb" ]; then
		for pool in debian-security/pool/updates debian/pool; do
			curl -sf -o "$deb.part" "http://deb.debian.org/$pool/main/l/linux/$(basename "$deb")" &&
				mv "$deb.part" "$deb" && break
		done
		rm -f "$deb.part"
	fi
	if [ ! -s "$deb" ]; then
		# apt's own view of that architecture, in lists of our own: the
		# machine's apt configuration is left alone.
		lists=$BUILD/config-builds/apt-lists
		mkdir -p "$lists/partial"
		aptopts=(-o Dir::State::Lists="$lists" -o APT::Architectures::="$debarch")
		apt-get -qq "${aptopts[@]}" update >/dev/null 2>&1 || true
		(cd "$debs" && apt-get -qq "${aptopts[@]}" download "linux-config-6.1:$debarch") >/dev/null 2>&1 ||
			die "cannot get linux-config-6.1 for $debarch from the archive"
		deb=$(ls -t "$debs"/linux-config-6.1_*_"$debarch".deb | head -n 1)
	fi
	got=$(dpkg-deb -f "$deb" Version)
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
configure() {
	if [ "$kind" = debian ]; then
		xzcat "$config" > "$O/.config"
		"$WT/scripts/config" --file "$O/.config" \
			--disable DEBUG_INFO_BTF --disable DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT \
			--disable DEBUG_INFO_DWARF4 --disable DEBUG_INFO_DWARF5 \
			--enable DEBUG_INFO_NONE \
			--set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS ""
		xmake olddefconfig
		grep -q '^CONFIG_DEBUG_INFO_NONE=y' "$O/.config" || die "debug info is still on"
		grep -q '^CONFIG_MODVERSIONS=y' "$O/.config" || die "CONFIG_MODVERSIONS is off"
	else
		xmake allmodconfig
		"$WT/scripts/config" --file "$O/.config" --disable WERROR
		xmake olddefconfig
		! grep -q '^CONFIG_WERROR=y' "$O/.config" || die "CONFIG_WERROR is still on"
	fi
}

# checkout COMMIT: the worktree at COMMIT; only the files that differ are
# written, so kbuild rebuilds what depends on them.
checkout() {
	if [ ! -e "$WT/.git" ]; then
		git -C "$KTREE" worktree prune
		git -C "$KTREE" worktree add -q --detach "$WT" "$1"
	else
		git -C "$WT" checkout -q -f --detach "$1"
		git -C "$WT" clean -fdxq
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
	python3 "$TOP/scripts/findings.py" build < "$D/build-$name.log" > "$D/findings-$name" ||
		die "findings.py failed on the $name's log"
	sed -n 's/^  CC \( \[M\]\)\{0,1\} *\(.*\.o\)$/\2/p' "$D/build-$name.log" | sort -u > "$D/compiled-$name"
	return $rc
}

checkout base
[ "$kind" != debian ] || debian_config
configure > "$D/config-base.log" 2>&1 || { cat "$D/config-base.log"; die "configuring the base failed"; }

# What to build, the same for both.
if [ "$kind" = debian ]; then
	headers=$(git -C "$KTREE" diff --name-only base "$series" -- include/ "arch/$srcarch/include/")
	[ -n "$headers" ] || die "the series changes no public header"
	# shellcheck disable=SC2086
	python3 "$TOP/scripts/header_users.py" "$KTREE" "$srcarch" $headers > "$D/candidates" ||
		die "header_users.py failed"
	# The objects this configuration builds, from make's dry run.
	xmake prepare > "$D/prepare.log" 2>&1 || { tail -n 20 "$D/prepare.log"; die "make prepare failed"; }
	xmake -n -k vmlinux modules 2> "$D/dry-run.err" |
		grep -oE ' -c -o [^ ]+\.o ' | awk '{ print $3 }' | sort -u > "$D/configured-objects" || true
	[ -s "$D/configured-objects" ] || { tail -n 20 "$D/dry-run.err"; die "make -n listed no objects"; }
	objects=$(comm -12 <(sed 's/\.c$/.o/' "$D/candidates" | sort) "$D/configured-objects")
	label="Debian $debarch ($flavour, linux-config-6.1 $got)"
else
	objects=
	label="allmodconfig $karch"
fi
# Directories, the outermost only (make DIR/ builds its subdirectories).
dirs=$(git -C "$KTREE" diff --name-only --diff-filter=d base "$series" -- '*.c' ':(exclude)tools/' |
	xargs -rn1 dirname | sort -u |
	awk '{ for (i = 1; i <= n; i++) if (index($0, d[i] "/") == 1) next; d[++n] = $0; print }')
[ "$kind" = debian ] || dirs="drivers/iommu drivers/dma/idxd drivers/misc/uacce drivers/crypto/hisilicon"
# shellcheck disable=SC2086
printf '%s\n' $dirs $objects > "$D/targets"

s=$SECONDS
build base || { grep -E 'error|Error' "$D/build-base.log" | tail -n 20; die "the base does not build in $label"; }
t_base=$((SECONDS - s))
[ "$kind" != debian ] || python3 "$TOP/scripts/symvers.py" dump "$O" > "$D/symvers-base" ||
	die "symvers.py failed on the base"
(cd "$O" && find . -name '*.o' ! -name '*.mod.o' ! -name 'built-in*' | sed 's|^\./||' | sort) > "$D/objects-base"

checkout "$series"
s=$SECONDS
build series || { grep -E 'error|Error' "$D/build-series.log" | tail -n 20; die "the series does not build in $label"; }
t_series=$((SECONDS - s))
(cd "$O" && find . -name '*.o' ! -name '*.mod.o' ! -name 'built-in*' | sed 's|^\./||' | sort) > "$D/objects-series"

bad=0
# The base's warnings of the objects the series compiled again.
python3 "$TOP/scripts/findings.py" new "$D/findings-base" "$D/findings-series" > "$D/new-findings" ||
	die "findings.py failed comparing the findings"
if [ -s "$D/new-findings" ]; then
	echo "new warnings:"
	cat "$D/new-findings"
	bad=1
fi
lost=$(comm -23 "$D/objects-base" "$D/objects-series")
if [ -n "$lost" ]; then
	echo "objects the base builds and the series does not:"
	echo "$lost"
	bad=1
fi
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
	python3 "$TOP/scripts/symvers.py" dump "$O" > "$D/symvers-series" || die "symvers.py failed on the series"
	python3 "$TOP/scripts/symvers.py" diff "$D/symvers-base" "$D/symvers-series" > "$D/symvers.txt" ||
		die "symvers.py diff failed"
	verdict+="; $(wc -l < "$D/candidates") files may include $(echo $headers), $(echo $objects | wc -w) of them configured, $users include one"
	verdict+="; $(echo $added_opts | wc -w) options of the series, $(grep -c . <<<"$on" || true) set"
	verdict+="; exported symbols: $(sed -n 's/^# //p' "$D/symvers.txt")"
fi
if [ "$kind" = debian ]; then
	# What abi_changes.py needs: the label, the commit built and the
	# source files the objects were compiled from (a later commit that
	# changes none of them, nor a Kconfig or Makefile, would give the
	# same results).
	echo "$label" > "$D/label"
	echo "$series" > "$D/series-commit"
	(cd "$O" && find . -name '.*.o.cmd' -print0 | xargs -0 cat) |
		sed -n "s|^ *$WT/\([^ ]*\).*|\1|p; s|^source_[^ ]* := $WT/\([^ ]*\)\$|\1|p" |
		sort -u > "$D/sources"
	[ -s "$D/sources" ] || die "no source files in the objects' dependency lists"
fi
verdict+="; findings base $(wc -l < "$D/findings-base"), series $(wc -l < "$D/findings-series"), new $(grep -c . "$D/new-findings" || true)"
echo "$verdict" | tee "$D/verdict"
exit $bad
