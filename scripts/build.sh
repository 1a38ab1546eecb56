#!/usr/bin/env bash
# build.sh ARCH [MAKE ARGS/TARGETS...]: configure and build the test kernel
# for one architecture in build/out/ARCH, or build only the given targets.
# KTREE= and BUILD_OUT= select another tree and output directory (the
# static checks build the base that way).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=${1:?usage: build.sh x86_64|arm64 [target...]}
shift
o=${BUILD_OUT:-$OUT/$arch}	# another tree (KTREE=) builds elsewhere
mkdir -p "$o"
frags=("$TOP/configs/common.config" "$TOP/configs/debug.config" "$TOP/configs/$arch.config")

# Configure: allnoconfig plus the fragments, regenerated every time (a few
# seconds) so that Kconfig changes from the series are picked up. The
# .config is replaced only when it differs, so nothing is rebuilt for
# nothing.
cat "${frags[@]}" > "$o/fragments.config"
KCONFIG_CONFIG=.config.new KCONFIG_ALLCONFIG=$o/fragments.config \
	kmake "$arch" O="$o" allnoconfig
KCONFIG_CONFIG=.config.new kmake "$arch" O="$o" olddefconfig
# Every option a fragment asks for must have survived Kconfig, except the
# series' own test options on a tree without the series.
python3 - "$o/fragments.config" "$o/.config.new" "$KTREE" <<'PY'
import os, re, sys
frag, new, tree = sys.argv[1:]
want = [l.strip() for l in open(frag) if re.match(r'(CONFIG_\w+=|# CONFIG_\w+ is not set)', l)]
have = set(l.strip() for l in open(new))
known = set()
for d, _, files in os.walk(tree):
    if '/.git' in d:
        continue
    for f in files:
        if f.startswith('Kconfig'):
            known.update(re.findall(r'^\s*(?:menu)?config (\w+)', open(os.path.join(d, f), errors='replace').read(), re.M))
bad = [w for w in want if w not in have and re.search(r'CONFIG_(\w+)', w).group(1) in known]
for w in bad:
    print('config: requested %s, not in the result' % w)
sys.exit(1 if bad else 0)
PY
if ! cmp -s "$o/.config.new" "$o/.config"; then
	mv "$o/.config.new" "$o/.config"
else
	rm -f "$o/.config.new"
fi

case "$arch" in
x86_64) image=bzImage ;;
arm64)  image=Image ;;
*) die "unknown arch $arch" ;;
esac
[ $# -gt 0 ] || set -- "$image"
kmake "$arch" O="$o" "$@"
