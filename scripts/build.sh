#!/usr/bin/env bash
# build.sh KERNEL [MAKE ARGS/TARGETS...]: configure and build a test kernel
# (ARCH or ARCH-FLAVOUR, see kernel_frags in lib.sh) in build/out/KERNEL, or
# build only the given targets.
# KTREE= and BUILD_OUT= select another tree and output directory (the
# static checks build the base and each prefix of the series that way).
# After a whole kernel built, OUT/built holds its build_stamp (commit,
# edits, config fragments); boot.sh boots nothing else.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=${1:?usage: build.sh ARCH[-FLAVOUR] [target...]}
shift
arch=$(kernel_arch "$kernel")
case "$arch" in
x86_64) image=bzImage ;;
arm64)  image=Image ;;
*) die "unknown arch $arch" ;;
esac
o=${BUILD_OUT:-$OUT/$kernel}
mkdir -p "$o"
rm -f "$o/built"

# Configure: allnoconfig plus the fragments, merged by the tree's own
# merge_config.sh, made again (a few seconds) whenever what it is made from
# changed, so that Kconfig changes from the series are picked up: the
# fragments, the tree's Kconfig files, the compiler, and the .config
# itself. The .config is replaced only when it differs, so nothing is
# rebuilt for nothing.
read -ra frags <<<"$(kernel_frags "$kernel")"
for f in "${frags[@]}"; do [ -f "$f" ] || die "no kernel $kernel: $f is missing"; done
# defined TREE [REV]: the options the Kconfig files of TREE (at REV) define.
defined() {
	git -C "$1" grep -hE '^[[:space:]]*(menu)?config [A-Za-z0-9_]+[[:space:]]*$' ${2:+"$2"} -- '*Kconfig*' |
		awk '{ print "CONFIG_" $2 }' | sort -u
}
configure() {
	(cd "$o" && KCONFIG_CONFIG=$o/fragments.config \
		"$KTREE/scripts/kconfig/merge_config.sh" -m /dev/null "${frags[@]}") > "$o/merge.log" ||
		{ cat "$o/merge.log"; die "merge_config.sh failed"; }
	KCONFIG_CONFIG=.config.new KCONFIG_ALLCONFIG=$o/fragments.config \
		kmake "$arch" O="$o" allnoconfig
	# Every option a fragment asks for must have survived Kconfig. The one
	# excuse is an option the series adds, in a build of a tree without it
	# (the base or a prefix of the series, for the static checks): a misspelt
	# or renamed option must not turn a checker off unnoticed.
	bad=0 tree_opts='' series_opts=''
	while read -r want; do
		opt=$(sed -E 's/^(# )?(CONFIG_[A-Za-z0-9_]+).*/\2/' <<<"$want")
		grep -qxF "$want" "$o/.config.new" && continue
		[ -n "$tree_opts" ] || tree_opts=$(defined "$KTREE")
		if ! grep -qxF "$opt" <<<"$tree_opts"; then
			if [ "$KTREE" != "$BUILD/linux" ]; then
				[ -n "$series_opts" ] || series_opts=$(defined "$BUILD/linux" HEAD)
				grep -qxF "$opt" <<<"$series_opts" && continue
			fi
			echo "config: requested '$want', which no Kconfig of the tree defines"
			bad=1
			continue
		fi
		# An option asked off is off too when Kconfig leaves it out, its
		# dependencies unmet.
		[ "$want" = "# $opt is not set" ] && ! grep -q "^$opt=" "$o/.config.new" && continue
		echo "config: requested '$want', got '$(grep -E "^(# )?${opt}[= ]" "$o/.config.new" || echo nothing)'"
		bad=1
	done < <(grep -E '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set)' "$o/fragments.config")
	[ $bad -eq 0 ] || die "the configuration lacks options the fragments ask for"
	if ! cmp -s "$o/.config.new" "$o/.config"; then
		mv "$o/.config.new" "$o/.config"
	else
		rm -f "$o/.config.new"
	fi
}
config_inputs() {
	cat "${frags[@]}"
	git -C "$KTREE" ls-files -s -- '*Kconfig*'
	git -C "$KTREE" diff HEAD -- '*Kconfig*'
	kcc "$arch" --version
}
inputs=$(config_inputs | sha256sum)
if [ ! -f "$o/.config" ] || [ "$(cat "$o/config.stamp" 2>/dev/null)" != "$inputs $(sha256sum < "$o/.config")" ]; then
	rm -f "$o/config.stamp"
	configure
	echo "$inputs $(sha256sum < "$o/.config")" > "$o/config.stamp"
fi

# Coverage of the series' objects where the kernel records it (the same
# switches for every build of a tree, so targets never rebuild for them).
mapfile -t gcov < <(gcov_profile)
if [ $# -gt 0 ]; then
	kmake "$arch" O="$o" "${gcov[@]}" "$@"
else
	stamp=$(build_stamp "$kernel")
	kmake "$arch" O="$o" "${gcov[@]}" "$image"
	# The series' selftests, static for the guests' initramfs, from the
	# headers of this kernel; a warning fails the build as in the kernel.
	# Built afresh each time (ccache makes it cheap), so that neither a
	# binary of an older tree nor a warning of an earlier build survives.
	rm -rf "$o/kselftest"
	if [ -d "$KTREE/tools/testing/selftests/iommu" ]; then
		kmake "$arch" O="$o" headers
		ksft_make "$arch" O="$o" > "$o/kselftest.log" 2>&1 ||
			{ cat "$o/kselftest.log"; die "the iommu selftests did not build"; }
		! grep -q 'warning:' "$o/kselftest.log" ||
			{ grep 'warning:' "$o/kselftest.log"; die "the iommu selftests build with warnings"; }
	fi
	echo "$stamp" > "$o/built"
fi
