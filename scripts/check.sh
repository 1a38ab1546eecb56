#!/usr/bin/env bash
# check.sh STEP: one static check of the series in build/linux; prints its
# findings and fails if there is any. Findings are counted against the
# base: only what the series adds counts.
#   checkpatch         checkpatch.pl --strict on every patch file
#   kernel-doc         kernel-doc -none on every file the series touches
#   sparse-ARCH        sparse (C=2) and W=1 on every touched directory
#   bisect-ARCH        every prefix of the series builds the touched
#                      directories with W=1, adding no warning to the base
#   coccicheck         coccicheck on every touched C file
set -euo pipefail
. "$(dirname "$0")/lib.sh"

step=${1:?usage: check.sh STEP}
WT=$BUILD/check-tree		# worktree: the base, or a prefix of the series

touched() { git -C "$KTREE" diff --name-only --diff-filter=d base HEAD -- "$@"; }
# Directories with touched C files, without those below another one: make
# builds a directory's subdirectories itself, and building one twice at
# once races on its modules.order.
touched_dirs() {
	touched '*.c' | xargs -rn1 dirname | sort -u |
		awk '{ for (i = 1; i <= n; i++) if (index($0, d[i] "/") == 1) next; d[++n] = $0; print }'
}

# Warnings without line numbers, so that moved code compares equal.
normalize() {
	sed -nE 's#^(.*/)?((drivers|include|arch|lib|kernel|mm)/[^:]+):[0-9]+(:[0-9]+)?: (warning|error): #\2: \5: #p' |
		sed 's/[0-9]\+/N/g' | sort
}

# new_findings BASEFILE TIPFILE: lines in TIP beyond those in BASE.
new_findings() {
	python3 - "$1" "$2" <<'PY'
import collections, sys
base = collections.Counter(open(sys.argv[1]).read().splitlines())
tip = collections.Counter(open(sys.argv[2]).read().splitlines())
for line, n in sorted((tip - base).items()):
    print('%s%s' % (line, '' if n == 1 else ' (x%d)' % n))
PY
}

worktree_at() {
	if [ ! -d "$WT/.git" ] && [ ! -f "$WT/.git" ]; then
		git -C "$KTREE" worktree prune
		git -C "$KTREE" worktree add -q --detach "$WT" "$1"
	else
		git -C "$WT" checkout -q --detach "$1"
	fi
}

# dir_build TREE ARCH OUTDIR FLAGS...: build the touched directories from
# scratch (ccache replays warnings) and print normalized findings.
dir_build() {
	local tree=$1 arch=$2 out=$3 dirs
	shift 3
	dirs=$(touched_dirs)
	mkdir -p "$out"
	for d in $dirs; do
		[ -d "$out/$d" ] && find "$out/$d" -name '*.o' -delete
	done
	# shellcheck disable=SC2046
	KTREE=$tree BUILD_OUT=$out "$TOP/scripts/build.sh" "$arch" "$@" \
		$(for d in $dirs; do echo "$d/"; done) 2>&1 | tee "$out/check.raw" >&2
	normalize < "$out/check.raw"
}

case "$step" in
checkpatch)
	n=0
	while read -r p _; do
		case "$p" in ''|'#'*) continue ;; esac
		out=$(cd "$KTREE" && perl scripts/checkpatch.pl --strict --quiet \
			--no-summary --showfile "$PATCHES/$p" || true)
		if [ -n "$out" ]; then
			echo "$out"
			n=$((n + $(grep -cE '(ERROR|WARNING|CHECK):' <<<"$out" || true)))
		fi
	done < "$PATCHES/series"
	echo "checkpatch --strict: $n findings in $(grep -vc '^#' "$PATCHES/series") patches"
	[ "$n" -eq 0 ]
	;;
kernel-doc)
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	: > "$tmp/base"
	: > "$tmp/tip"
	for f in $(touched '*.c' '*.h'); do
		if git -C "$KTREE" cat-file -e "base:$f" 2>/dev/null; then
			mkdir -p "$tmp/b/$(dirname "$f")"
			git -C "$KTREE" show "base:$f" > "$tmp/b/$f"
			(cd "$tmp/b" && perl "$KTREE/scripts/kernel-doc" -none "$f" 2>&1 |
				sed 's/:[0-9]*:/:/' >> "$tmp/base" || true)
		fi
		(cd "$KTREE" && perl scripts/kernel-doc -none "$f" 2>&1 |
			sed 's/:[0-9]*:/:/' >> "$tmp/tip" || true)
	done
	new=$(new_findings "$tmp/base" "$tmp/tip")
	[ -z "$new" ] || echo "$new"
	echo "kernel-doc: $(grep -c . <<<"$new" || true) new findings in $(touched '*.c' '*.h' | wc -l) files"
	[ -z "$new" ]
	;;
sparse-*)
	arch=${step#sparse-}
	worktree_at base
	dir_build "$WT" "$arch" "$OUT/check-$arch" C=2 W=1 > "$LOGS/findings-base-$arch"
	dir_build "$KTREE" "$arch" "$OUT/$arch" C=2 W=1 > "$LOGS/findings-tip-$arch"
	new=$(new_findings "$LOGS/findings-base-$arch" "$LOGS/findings-tip-$arch")
	[ -z "$new" ] || echo "$new"
	echo "sparse + W=1 ($arch, $(touched_dirs | tr '\n' ' ')): base $(wc -l < "$LOGS/findings-base-$arch"), series $(wc -l < "$LOGS/findings-tip-$arch"), new $(grep -c . <<<"$new" || true)"
	[ -z "$new" ]
	;;
bisect-*)
	arch=${step#bisect-}
	worktree_at base
	dir_build "$WT" "$arch" "$OUT/check-$arch" W=1 > "$LOGS/bisect-base-$arch"
	bad=0
	for c in $(git -C "$KTREE" rev-list --reverse base..HEAD); do
		subject=$(git -C "$KTREE" log -1 --format=%s "$c")
		worktree_at "$c"
		if ! dir_build "$WT" "$arch" "$OUT/check-$arch" W=1 > "$LOGS/bisect-$arch.txt"; then
			echo "does not build on $arch: $subject"
			bad=1
			continue
		fi
		new=$(new_findings "$LOGS/bisect-base-$arch" "$LOGS/bisect-$arch.txt")
		if [ -n "$new" ]; then
			echo "new W=1 warnings on $arch after: $subject"
			echo "$new"
			bad=1
		else
			echo "builds clean on $arch: $subject"
		fi
	done
	worktree_at base
	[ $bad -eq 0 ]
	;;
coccicheck)
	# cocci ARCH TREE OUTDIR FILE...: coccicheck's report on the files, in
	# one make run, located findings only; a run that fails is a failed
	# check, not a clean one.
	cocci() {
		local arch=$1 tree=$2 out=$3 f
		shift 3
		[ $# -gt 0 ] || return 0
		mkdir -p "$out"
		# coccicheck reports on stdout, which make -s throws away.
		KMAKE_SILENT= KTREE=$tree BUILD_OUT=$out "$TOP/scripts/build.sh" "$arch" C=2 \
			CHECK="$tree/scripts/coccicheck" MODE=report "${@/%.c/.o}" > "$out/cocci.raw" 2>&1 ||
			{ cat "$out/cocci.raw"; die "coccicheck failed on $*"; }
		for f; do
			grep -E "^(.*/)?$f:[0-9]+:" "$out/cocci.raw" |
				sed -E 's#^(.*/)?([^:]+):[0-9]+:[0-9-]*:#\2:#' || true
		done
	}
	files=$(touched '*.c')
	worktree_at base
	: > "$LOGS/cocci-base"
	: > "$LOGS/cocci-tip"
	for arch in x86_64 arm64; do
		# Each file in a kernel configured for it: ARM code on arm64.
		mine=() old=()
		for f in $files; do
			case "$f" in */arm/*|*/arm64/*) a=arm64 ;; *) a=x86_64 ;; esac
			[ $a = $arch ] || continue
			mine+=("$f")
			[ ! -f "$WT/$f" ] || old+=("$f")
		done
		cocci $arch "$WT" "$OUT/check-$arch" "${old[@]}" >> "$LOGS/cocci-base"
		cocci $arch "$KTREE" "$OUT/$arch" "${mine[@]}" >> "$LOGS/cocci-tip"
	done
	new=$(new_findings "$LOGS/cocci-base" "$LOGS/cocci-tip")
	[ -z "$new" ] || echo "$new"
	echo "coccicheck ($(echo $files)): base $(wc -l < "$LOGS/cocci-base"), series $(wc -l < "$LOGS/cocci-tip"), new $(grep -c . <<<"$new" || true)"
	[ -z "$new" ]
	;;
*)
	die "unknown check $step"
	;;
esac
