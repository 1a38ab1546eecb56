# shellcheck shell=bash
# Common paths and the stage runner, sourced by every workbench script.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$TOP/build
KTREE=${KTREE:-$BUILD/linux}	# git tree: tag "base" + one commit per patch
OUT=$BUILD/out			# O= build directories, one per architecture
LOGS=$BUILD/logs
PATCHES=$TOP/patches
mkdir -p "$LOGS"

# ccache keyed on paths relative to the checkout, so a fresh clone in
# another directory still hits the cache of an earlier one.
export CCACHE_BASEDIR=$TOP
export CCACHE_NOHASHDIR=1
export CCACHE_COMPILERCHECK=content
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}

# Reproducible kernel version strings: no dirty or git suffixes.
export KBUILD_BUILD_USER=workbench KBUILD_BUILD_HOST=workbench
export KBUILD_BUILD_TIMESTAMP="2022-12-11 00:00:00"
export LOCALVERSION= LOCALVERSION_AUTO=

# Debian's tools first: checkpatch's spdxcheck.py needs Debian's python3
# with python3-ply and python3-git, not another python3 earlier in PATH.
export PATH=/usr/bin:/bin:/usr/sbin:/sbin:$PATH

JOBS=${JOBS:-$(nproc)}

say() { printf '%s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The fingerprint of the patches listed in patches/series, in order.
series_id() {
	(cd "$PATCHES" && sed -e 's/#.*//' -e '/^[[:space:]]*$/d' series |
		while read -r p _; do cat "$p"; done) | sha256sum | cut -d' ' -f1
}

# Read KEY=VALUE from the BASE file.
base_field() { sed -n "s/^$1=//p" "$TOP/BASE"; }

# kmake ARCH ARGS...: make in the kernel tree for one architecture, silent
# unless KMAKE_SILENT is empty (-s also sinks the stdout of every command).
kmake() {
	local arch=$1; shift
	local cross=() cc=gcc
	if [ "$arch" = arm64 ]; then
		cross=(CROSS_COMPILE=aarch64-linux-gnu-)
		cc=aarch64-linux-gnu-gcc
	fi
	make ${KMAKE_SILENT--s} -C "$KTREE" ARCH="$arch" "${cross[@]}" CC="ccache $cc" \
		HOSTCC="ccache gcc" -j"$JOBS" "$@"
}

# stage NAME LOG CMD...: run one stage with its output in LOG, print one
# line with the elapsed time; on failure name the log and show its tail.
stage() {
	local name=$1 log=$2 start rc=0
	shift 2
	start=$SECONDS
	printf '  %-44s ' "$name"
	"$@" >"$log" 2>&1 || rc=$?
	local t=$((SECONDS - start))
	if [ $rc -eq 0 ]; then
		printf 'ok    %4ds\n' "$t"
		printf '%s %s\n' "$name" "$t" >>"$LOGS/times"
		return 0
	fi
	printf 'FAIL  %4ds\n' "$t"
	say "    log: ${log#"$TOP"/}"
	# The relevant part: error lines if any, else the last lines.
	if grep -qE '(error|Error|FAIL|not ok|\*\*\*)' "$log"; then
		grep -E '(error|Error|FAIL|not ok|\*\*\*)' "$log" | tail -n 15 | sed 's/^/    | /'
	else
		tail -n 15 "$log" | sed 's/^/    | /'
	fi
	return $rc
}
