#!/usr/bin/env bash
# build.sh ARCH [TARGET...]: configure (only when the fragments changed)
# and build the test kernel for one architecture in build/out/ARCH.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=${1:?usage: build.sh x86_64|arm64 [target...]}
shift
o=$OUT/$arch
mkdir -p "$o"
frags=("$TOP/configs/common.config" "$TOP/configs/debug.config" "$TOP/configs/$arch.config")

# Configure: allnoconfig plus the fragments. The .config is replaced only
# when the result differs, so a rebuild does not recompile for nothing.
cfg_id=$(cat "${frags[@]}" "$KTREE/Makefile" | sha256sum | cut -d' ' -f1)
if [ ! -f "$o/.config" ] || [ "$(cat "$o/.workbench-config" 2>/dev/null)" != "$cfg_id" ]; then
	tmp=$o/.config.new
	cat "${frags[@]}" > "$o/fragments.config"
	KCONFIG_ALLCONFIG=$o/fragments.config kmake "$arch" O="$o" allnoconfig
	kmake "$arch" O="$o" olddefconfig
	# Every option a fragment asks for must have survived Kconfig, except
	# the series' own test options on a tree without the series.
	missing=0
	while IFS= read -r line; do
		case "$line" in CONFIG_*=*) ;; *) continue ;; esac
		opt=${line%%=*}
		if ! grep -qx "$line" "$o/.config"; then
			if grep -q "^config ${opt#CONFIG_}\$" -r "$KTREE" --include='Kconfig*'; then
				echo "config: $line requested, got: $(grep "^$opt=\|# $opt " "$o/.config" || echo unset)"
				missing=1
			fi
		fi
	done < "$o/fragments.config"
	[ $missing -eq 0 ] || die "configuration for $arch lost requested options"
	echo "$cfg_id" > "$o/.workbench-config"
fi

case "$arch" in
x86_64) image=bzImage ;;
arm64)  image=Image ;;
*) die "unknown arch $arch" ;;
esac
[ $# -gt 0 ] || set -- "$image"
kmake "$arch" O="$o" "$@"
