# shellcheck shell=bash disable=SC2034
# (SC2034: the paths set here are for the scripts that source this.)
# Common set-up, paths and the stage runner, sourced first by every
# workbench script. Sourcing it in a command the user started:
#  - runs the script again in a clean environment, so that nothing the user
#    exported (ARCH, CROSS_COMPILE, LLVM, KCFLAGS, KCONFIG_CONFIG, O, CPATH,
#    MAKEFLAGS, the locale, ...) changes what is built or how it is judged;
#  - takes build/lock, so that two workbench commands never race on build/.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${WB_BUILD:-$TOP/build}	# everything the workbench makes; the selftest uses another

say() { printf '%s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# A script started by a workbench command inherits its open lock file and
# its already clean environment; anything else starts clean and locks.
if [ -z "${WB_LOCK_FD:-}" ] || ! [ "/proc/$$/fd/$WB_LOCK_FD" -ef "$BUILD/lock" ]; then
	if [ "${WB_CLEAN_ENV:-}" != "$$" ]; then
		# What survives: what the shell, apt and ccache need, and the
		# workbench's own settings (README: "Settings").
		envargs=()
		for v in HOME USER LOGNAME TERM TMPDIR CI http_proxy https_proxy no_proxy \
			 CCACHE_DIR KTREE BUILD_OUT WB_BUILD JOBS GUEST_TIMEOUT FROM; do
			[ -z "${!v+set}" ] || envargs+=("$v=${!v}")
		done
		exec env -i "${envargs[@]}" WB_CLEAN_ENV=$$ LC_ALL=C \
			PATH="/usr/bin:/bin:/usr/sbin:/sbin:${PATH:-}" bash "$0" "$@"
	fi
	unset WB_CLEAN_ENV
	mkdir -p "$BUILD"
	exec {WB_LOCK_FD}>>"$BUILD/lock"
	flock -n "$WB_LOCK_FD" ||
		die "another workbench command is using $BUILD ($BUILD/lock); wait for it to end"
	export WB_LOCK_FD
fi

KTREE=${KTREE:-$BUILD/linux}	# git tree: tag "base" + one commit per patch
OUT=$BUILD/out			# O= build directories, one per kernel
LOGS=$BUILD/logs
PATCHES=$TOP/patches
mkdir -p "$LOGS"

# ccache keyed on paths relative to the checkout, so a fresh clone in
# another directory still hits the cache of an earlier one.
export CCACHE_BASEDIR=$TOP
export CCACHE_NOHASHDIR=1
export CCACHE_COMPILERCHECK=content
export CCACHE_MAXSIZE=8G
# The cache's directory, from the real HOME: the static checkers run with
# an empty one (check.sh).
if [ -z "${CCACHE_DIR:-}" ] && command -v ccache >/dev/null; then
	CCACHE_DIR=$(ccache -k cache_dir) && export CCACHE_DIR
fi

# Reproducible kernel version strings: no dirty or git suffixes.
export KBUILD_BUILD_USER=workbench KBUILD_BUILD_HOST=workbench
export KBUILD_BUILD_TIMESTAMP="2022-12-11 00:00:00"
export LOCALVERSION='' LOCALVERSION_AUTO=

JOBS=${JOBS:-$(nproc)}

# series_patches: the patch files of patches/series, in order, one a line.
series_patches() {
	sed -e 's/#.*//' -e 's/[[:space:]].*//' -e '/^$/d' "$PATCHES/series"
}

# series_id: the fingerprint of those patches' contents, in order.
series_id() {
	(cd "$PATCHES" && series_patches | while read -r p; do cat "$p"; done) |
		sha256sum | cut -d' ' -f1
}

# tree_edits: the first uncommitted edits in KTREE, if any. The Debian
# .gitignore ignores everything ("/*"), so ignored files count too (the
# builds write nothing into the tree: they use O=).
tree_edits() {
	git -C "$KTREE" status --porcelain --ignored=matching | head -n 5
}

# A kernel is named ARCH (the debug test kernel) or ARCH-FLAVOUR (e.g.
# x86_64-bench): configs/common.config, then debug.config or FLAVOUR.config
# (debug.config for a flavour that has only FLAVOUR-ARCH.config), then
# ARCH.config, then FLAVOUR-ARCH.config where there is one (what the
# flavour turns off of ARCH.config). It is built in build/out/NAME.
kernel_arch() { echo "${1%%-*}"; }
kernel_frags() {
	local flavour=debug arch more='' own
	[ "${1#*-}" = "$1" ] || flavour=${1#*-}
	arch=$(kernel_arch "$1")
	[ ! -f "$TOP/configs/$flavour-$arch.config" ] || more=$TOP/configs/$flavour-$arch.config
	# A flavour without a fragment of its own (nosva) is the debug
	# kernel changed by its ARCH one.
	own=$TOP/configs/$flavour.config
	[ -f "$own" ] || [ -z "$more" ] || own=$TOP/configs/debug.config
	echo "$TOP/configs/common.config" "$own" "$TOP/configs/$arch.config" $more
}

# build_stamp KERNEL: what a kernel built from KTREE depends on that the
# workbench controls: the commit, uncommitted edits and the config fragments.
build_stamp() {
	local frags
	read -ra frags <<<"$(kernel_frags "$1")"
	{
		git -C "$KTREE" rev-parse HEAD
		git -C "$KTREE" diff HEAD
		cat "${frags[@]}"
	} | sha256sum | cut -d' ' -f1
}

# series_functions KERNEL: the functions defined in the objects of KERNEL
# built from the C files the series touches (a file that another includes
# is in its includer's object), one a line; fails if there are none.
series_functions() {
	local f o objs=()
	for f in $(git -C "$KTREE" diff --name-only base HEAD -- '*.c'); do
		o=$OUT/$1/${f%.c}.o
		[ ! -f "$o" ] || objs+=("$o")
	done
	[ ${#objs[@]} -gt 0 ] || return 1
	nm --defined-only "${objs[@]}" | awk '$2 ~ /^[tTwW]$/ { print $3 }' | sort -u
}

# gcov_profile: kbuild's per-object switches (GCOV_PROFILE_NAME.o=y) for
# the C files the series touches in drivers/iommu and drivers/dma/idxd,
# whose line coverage the test kernels (CONFIG_GCOV_KERNEL) record. Kbuild
# matches an object by its file name alone: an object elsewhere with the
# same name (init.o, iommu.o) is profiled too, which costs nothing more.
gcov_profile() {
	git -C "$KTREE" diff --name-only base HEAD -- 'drivers/iommu/*.c' 'drivers/dma/idxd/*.c' |
		sed -E 's|.*/||; s|\.c$||; s|.*|GCOV_PROFILE_&.o=y|' | sort -u
}

# Read KEY=VALUE from the BASE file.
base_field() { sed -n "s/^$1=//p" "$TOP/BASE"; }

# worktree_at COMMIT: the git worktree $WT of $KTREE (made if missing) at
# COMMIT, with nothing else in it: a run that stopped half-way leaves no
# edits behind, and only the files that differ are written.
worktree_at() {
	if [ ! -d "$WT/.git" ] && [ ! -f "$WT/.git" ]; then
		git -C "$KTREE" worktree prune
		git -C "$KTREE" worktree add -q --detach "$WT" "$1"
	else
		# A check that stopped half-way (quilt) leaves no edits behind.
		git -C "$WT" checkout -q -f --detach "$1"
		git -C "$WT" clean -fdxq
	fi
}

# kcc_name ARCH: the C compiler of ARCH's kernels; kcc ARCH ARGS...: run it.
kcc_name() { if [ "$1" = arm64 ]; then echo aarch64-linux-gnu-gcc; else echo gcc; fi; }
kcc() { local cc; cc=$(kcc_name "$1"); shift; "$cc" "$@"; }

# kmake ARCH ARGS...: make in the kernel tree for one architecture, silent
# unless KMAKE_SILENT is empty (-s also sinks the stdout of every command).
# KMAKE_CC_DIAG=1: each object's compiler diagnostics go to OBJ.diag
# (cc-diag.sh).
kmake() {
	local arch=$1; shift
	local cross=() cc diag=
	cc=$(kcc_name "$arch")
	[ "$arch" != arm64 ] || cross=(CROSS_COMPILE=aarch64-linux-gnu-)
	[ "${KMAKE_CC_DIAG:-}" != 1 ] || diag="$TOP/scripts/cc-diag.sh "
	make ${KMAKE_SILENT--s} -C "$KTREE" ARCH="$arch" "${cross[@]}" CC="${diag}ccache $cc" \
		HOSTCC="ccache gcc" -j"$JOBS" "$@"
}

# ksft_make ARCH [MAKE ARGS...]: build the iommu selftests of $KTREE for
# ARCH, statically linked (with O=, into O/kselftest/iommu).
ksft_make() {
	local arch=$1; shift
	local cross=() cc=gcc
	if [ "$arch" = arm64 ]; then
		cross=(CROSS_COMPILE=aarch64-linux-gnu-)
		cc=aarch64-linux-gnu-gcc
	fi
	make -C "$KTREE/tools/testing/selftests" TARGETS=iommu ARCH="$arch" "${cross[@]}" \
		CC="ccache $cc" LDFLAGS=-static "$@"
}

# record KIND NAME STATUS SECONDS LOG: one line of build/logs/stages.jsonl,
# which summary.py reads. KIND: setup, selftest, static, build, boot. Plain
# bash, so that a set-up that failed before python3 was installed is still
# recorded. NAME and LOG hold no quotes or backslashes.
record() {
	printf '{"kind": "%s", "name": "%s", "status": %d, "seconds": %d, "log": "%s"}\n' \
		"$1" "$2" "$3" "$4" "$5" >>"$LOGS/stages.jsonl" ||
		die "cannot record stage \"$2\" in $LOGS/stages.jsonl: no verdict"
}

# stage KIND NAME LOG CMD...: run one stage with its output in LOG, record
# it, print one line with the elapsed time; on failure name the log and
# show its relevant part. Returns the command's status.
stage() {
	local kind=$1 name=$2 log=$3 start rc=0
	shift 3
	start=$SECONDS
	printf '  %-44s ' "$name"
	"$@" >"$log" 2>&1 || rc=$?
	local t=$((SECONDS - start))
	record "$kind" "$name" "$rc" "$t" "${log#"$TOP"/}"
	if [ $rc -eq 0 ]; then
		printf 'ok    %4ds\n' "$t"
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
