#!/usr/bin/env bash
# check.sh STEP: one static check of the series in build/linux; prints its
# findings, ends with a one-line verdict and fails if there is any finding
# or if a tool or a build fails. Findings are counted against the base:
# only what the series adds counts. "check.sh --list" prints the steps, in
# the order make check runs them; make test runs those of
# "check.sh --after-kernels" after it has built the debug kernels, and
# leaves those of "check.sh --long-only" to make check and make test-long.
#   checkpatch         checkpatch.pl --strict on every patch file
#   apply              the series applies, with zero fuzz, to the base
#                      with quilt, as make apply does to a plain tree and
#                      to a git tree, and as make debian-patches writes
#                      it, and each way gives the tree that git am gave
#   new-files          every file the series adds has a MAINTAINERS F:
#                      line of the series; every iterator macro it adds
#                      is in .clang-format's ForEachMacros
#   clang-format       every C file the series adds follows the tree's
#                      .clang-format where checkpatch --strict agrees
#                      (scripts/clang_format_check.py)
#   htmldocs           each Documentation directory the series adds
#                      builds alone (SPHINXDIRS) without a warning, and
#                      its index is in its parent's toctree
#   kernel-doc         kernel-doc -none on every file the series touches
#   sparse-ARCH        sparse (C=2) and W=1 on every touched directory
#   bisect             every prefix of the series builds the touched
#                      directories with W=1, adding no warning to the base,
#                      and their objects need no symbol that nothing
#                      defines (scripts/unresolved.py), on x86_64 and
#                      arm64 side by side (bisect-ARCH: one)
#   nosva-arm64        W=1 on every touched directory of the arm64 debug
#                      kernel without CONFIG_ARM_SMMU_V3_SVA or
#                      CONFIG_IOMMU_SVA: the series builds there too,
#                      adding no warning to the base, and that kernel links
#   coccicheck         coccicheck on every touched C file (not in make
#                      test: ten minutes that ccache cannot shorten)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

step=${1:?usage: check.sh STEP|--list}
if [ "$step" = --list ]; then
	echo checkpatch apply new-files clang-format htmldocs kernel-doc sparse-x86_64 sparse-arm64 coccicheck bisect nosva-arm64
	exit 0
fi
# The checks make test runs after building the debug kernels (make check
# runs all in --list's order).
if [ "$step" = --after-kernels ]; then
	echo nosva-arm64
	exit 0
fi
if [ "$step" = --long-only ]; then
	echo coccicheck
	exit 0
fi
WT=$BUILD/check-tree		# worktree: the base, or a prefix of the series

touched() { git -C "$KTREE" diff --name-only --diff-filter=d base HEAD -- "$@"; }
# The touched kernel C files: userspace programs (the selftests under
# tools/) are no kbuild objects; build.sh builds them, warnings fatal.
touched_kernel_c() { touched '*.c' ':(exclude)tools/'; }

# checkpatch and spatch read options from files in HOME (.checkpatch.conf,
# .cocciconfig), which could turn checks off: they get an empty one.
CHECKER_HOME=$BUILD/checker-home
rm -rf "$CHECKER_HOME" && mkdir -p "$CHECKER_HOME"
# Directories with C files that a patch touches (and that the tip has),
# without those below another one: make
# builds a directory's subdirectories itself, and building one twice at
# once races on its modules.order.
# With them, the directories of in-tree users of the API the series
# changes that it does not touch (SVA, PASID attach, DMA ownership), so
# that "no new warnings" covers them too, wherever the arch builds them.
# The verdicts name the directories built.
API_USERS="drivers/misc/uacce drivers/crypto/hisilicon drivers/vfio"
checked_dirs() {
	{
		# Every patch's, not only the tip's: a file that a patch
		# changes and a later one reverts is built at the prefixes too.
		git -C "$KTREE" log --format= --name-only base..HEAD -- '*.c' ':(exclude)tools/' |
			xargs -rn1 dirname | while read -r d; do [ ! -d "$KTREE/$d" ] || echo "$d"; done
		for d in $API_USERS; do [ ! -d "$KTREE/$d" ] || echo "$d"; done
	} | sort -u |
		awk '{ for (i = 1; i <= n; i++) if (index($0, d[i] "/") == 1) next; d[++n] = $0; print }'
}

# Findings without positions, so that moved code compares equal: compiler
# and sparse warnings and errors, and what fails a build without a located
# error (missing targets, link and Kconfig errors); see findings.py.
normalize() { python3 "$TOP/scripts/findings.py" build; }

# new_findings BASEFILE TIPFILE: lines in TIP beyond those in BASE.
new_findings() { python3 "$TOP/scripts/findings.py" new "$1" "$2"; }

# dir_build TREE ARCH OUTDIR FLAGS...: build the touched directories from
# scratch (ccache replays warnings) and print normalized findings; the
# build's output goes to stderr. Returns the build's status.
dir_build() {
	local tree=$1 arch=$2 out=$3 dirs rc=0
	shift 3
	dirs=$(checked_dirs)
	mkdir -p "$out"
	for d in $dirs; do
		[ -d "$out/$d" ] && find "$out/$d" -name '*.o' -delete
	done
	# shellcheck disable=SC2046
	KTREE=$tree BUILD_OUT=$out "$TOP/scripts/build.sh" "$arch" "$@" \
		$(for d in $dirs; do echo "$d/"; done) > "$out/check.raw" 2>&1 || rc=$?
	cat "$out/check.raw" >&2
	normalize < "$out/check.raw" || die "findings.py failed on the build's output"
	[ $rc -eq 0 ] || echo "build failed with status $rc" >&2
	return $rc
}

case "$step" in
checkpatch)
	# checkpatch exits 1 on findings; any other failure is the tool's.
	# It runs twice per patch. In the tree, for the checks that read it
	# (MAINTAINERS, the files a patch touches); the tree holds the base
	# as one commit, without upstream history, so the upstream commit ids
	# that Fixes: tags and messages name are not found there
	# (UNKNOWN_COMMIT_ID, ignored) and, found nowhere, not checked for
	# their form either. So again outside any git tree (--no-tree), where
	# checkpatch checks the form of every "commit <id> ("<subject>")" as
	# in a maintainer's tree (GIT_COMMIT_ID). What it cannot look up,
	# scripts/citations.py checks: every commit id the messages and the
	# cover letter name must be one of UPSTREAM-COMMITS, the reviewed
	# list, under its subject there.
	# It also reads one in the tree it runs in, and in its .scripts.
	for f in .checkpatch.conf .scripts/.checkpatch.conf; do
		[ ! -e "$KTREE/$f" ] || die "checkpatch: $KTREE/$f would set its options"
	done
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	notree=$tmp/notree
	mkdir "$notree"
	# JOBS runs at once, each writing its output and status to files;
	# judged afterwards in the series' order.
	i=0
	for p in $(series_patches); do
		for where in "$KTREE" "$notree"; do
			i=$((i + 1))
			opt=
			[ "$where" = "$KTREE" ] || opt=--no-tree
			while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
			# shellcheck disable=SC2086
			(
				rc=0
				cd "$where" && HOME=$CHECKER_HOME perl "$KTREE/scripts/checkpatch.pl" \
					--strict --quiet $opt --ignore UNKNOWN_COMMIT_ID \
					--no-summary --showfile "$PATCHES/$p" > "$tmp/$i.out" 2>&1 || rc=$?
				echo "$rc" > "$tmp/$i.rc"
			) &
		done
	done
	wait
	n=0 i=0
	for p in $(series_patches); do
		for where in tree notree; do
			i=$((i + 1))
			[ -f "$tmp/$i.rc" ] || die "checkpatch ($where) did not run on $p"
			rc=$(cat "$tmp/$i.rc")
			out=$(cat "$tmp/$i.out")
			found=$(grep -cE '(ERROR|WARNING|CHECK):' <<<"$out" || true)
			[ -z "$out" ] || echo "$out"
			# A helper that crashed (spdxcheck.py's Traceback) finds nothing.
			if [ "$rc" -gt 1 ] || { [ "$rc" -eq 1 ] && [ "$found" -eq 0 ]; } ||
				grep -q '^Traceback' <<<"$out"; then
				die "checkpatch ($where) failed on $p (status $rc) with no finding"
			fi
			n=$((n + found))
		done
	done
	echo "checkpatch --strict, in the tree and outside any: $n findings in $(series_patches | wc -l) patches"
	rc=0
	# shellcheck disable=SC2046
	python3 "$TOP/scripts/citations.py" "$TOP/UPSTREAM-COMMITS" "$PATCHES/0000-cover-letter.patch" \
		$(series_patches | sed "s|^|$PATCHES/|") || rc=$?
	[ "$rc" -le 1 ] || die "citations.py failed (status $rc)"
	[ "$n" -eq 0 ] && [ "$rc" -eq 0 ]
	;;
apply)
	tip=$(git -C "$KTREE" rev-parse HEAD)
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	# same_as_tip DIR WHAT: the tree in DIR, a git tree, is the series'
	# (quilt's .pc and the patches in debian/ aside).
	same_as_tip() {
		rm -rf "$1/.pc" "$1/debian"
		git -C "$1" add -A -f .
		git -C "$1" diff --cached --quiet "$tip" ||
			{ git -C "$1" diff --cached --stat "$tip" | tail -n 5; die "$2 does not give the series' tree"; }
		echo "$2: the series' tree"
	}
	# quilt_push QUILT_PATCHES: push the series onto the worktree, zero
	# fuzz, reading no quiltrc of the user's or the system's.
	quilt_push() {
		(cd "$WT" && QUILT_PATCHES=$1 quilt --quiltrc - push -a -q --fuzz=0) > "$tmp/quilt.log" 2>&1 ||
			{ cat "$tmp/quilt.log"; die "quilt push -a --fuzz=0 ($1) failed"; }
	}
	for p in "$PATCHES"/*.patch; do
		p=$(basename "$p")
		[ "$p" = 0000-cover-letter.patch ] || series_patches | grep -qxF "$p" ||
			die "patches/$p is not in patches/series"
	done
	worktree_at base
	quilt_push "$PATCHES"
	same_as_tip "$WT" "quilt push -a --fuzz=0"
	python3 "$TOP/scripts/debian_patches.py" "$PATCHES" "$tmp/deb" > /dev/null
	# Each exported patch opens with the DEP-3 fields, before its diff.
	n=0
	dp=$tmp/deb/debian/patches
	for p in "$dp"/features/all/iommu-pasid/*.patch "$dp"/bugfix/all/iommu-pasid/*.patch; do
		n=$((n + 1))
		hdr=$(sed '/^---$/q' "$p")
		for field in 'Description: [^ ]' 'Author: .*<.*@.*>' 'Origin: ' 'Forwarded: ' 'Last-Update: [0-9]{4}-[0-9]{2}-[0-9]{2}$'; do
			grep -qE "^$field" <<<"$hdr" || die "make debian-patches: $(basename "$p") lacks DEP-3 ${field%%:*}"
		done
	done
	[ "$n" -eq "$(series_patches | wc -l)" ] || die "make debian-patches wrote $n patches, not $(series_patches | wc -l)"
	# ... in the series' order, each with its commit's subject and author,
	# a fix (a Fixes: tag) among the bug fixes, the others among features.
	diff <(grep -v '^#' "$dp/series-iommu-pasid" | sed 's|^[a-z]*/all/iommu-pasid/||') \
		<(series_patches) > /dev/null || die "make debian-patches: series-iommu-pasid is not patches/series"
	i=0
	while IFS=$'\t' read -r author subject; do
		i=$((i + 1))
		p=$dp/$(grep -v '^#' "$dp/series-iommu-pasid" | sed -n "${i}p")
		want=features
		! grep -q '^Fixes: ' "$PATCHES/$(basename "$p")" || want=bugfix
		[[ $p == "$dp/$want/all/iommu-pasid/"* ]] ||
			die "make debian-patches: $(basename "$p") is not in $want/all"
		grep -qxF "Description: $subject" "$p" && grep -qxF "Author: $author" "$p" ||
			die "make debian-patches: $(basename "$p") does not name its commit's subject and author"
	done < <(git -C "$KTREE" log --reverse --format='%an <%ae>%x09%s' base..HEAD)
	[ "$i" -eq "$n" ] || die "make debian-patches: $n patches for $i commits"
	cmp -s "$PATCHES/abi-changes.txt" "$dp/features/all/iommu-pasid/abi-changes.txt" ||
		die "make debian-patches does not carry patches/abi-changes.txt"
	cmp -s "$PATCHES/0000-cover-letter.patch" "$dp/features/all/iommu-pasid/cover-letter.txt" ||
		die "make debian-patches does not carry the cover letter"
	worktree_at base
	mkdir -p "$WT/debian"
	cp -r "$tmp/deb/debian/patches" "$WT/debian/"
	cp "$WT/debian/patches/series-iommu-pasid" "$WT/debian/patches/series"
	quilt_push debian/patches
	same_as_tip "$WT" "make debian-patches, quilt push -a --fuzz=0"
	worktree_at base
	# make apply works on the files the series touches: a plain tree and
	# a git tree of them, cut from the base.
	files=$(git -C "$KTREE" diff --no-renames --name-only --diff-filter=MD base HEAD)
	for kind in plain git; do
		d=$tmp/$kind
		mkdir -p "$d"
		git -C "$KTREE" archive base Makefile $files | tar -x -C "$d"
		if [ $kind = git ]; then
			# git am commits: the scratch tree has an identity of its own.
			git -C "$d" init -q && git -C "$d" config user.name check &&
				git -C "$d" config user.email check@localhost &&
				git -C "$d" add -A && git -C "$d" commit -qm base
		fi
		"$TOP/scripts/apply.sh" "$d" > "$tmp/apply.log" 2>&1 ||
			{ cat "$tmp/apply.log"; die "make apply failed on a $kind tree"; }
		for f in $(git -C "$KTREE" diff --no-renames --name-only base HEAD); do
			if git -C "$KTREE" cat-file -e "HEAD:$f" 2>/dev/null; then
				git -C "$KTREE" show "HEAD:$f" | cmp -s - "$d/$f" ||
					die "make apply on a $kind tree: $f differs from the series'"
			else
				[ ! -e "$d/$f" ] || die "make apply on a $kind tree: $f was not removed"
			fi
		done
		echo "make apply, $kind tree: the series' files"
	done
	n=$(git -C "$d" rev-list --count HEAD)
	[ "$n" -eq $(($(series_patches | wc -l) + 1)) ] ||
		die "make apply on a git tree made $((n - 1)) commits, not one per patch"
	echo "apply: git am, quilt, make apply (plain and git tree) and the Debian export give the series' tree"
	;;
new-files)
	python3 "$TOP/scripts/new_files.py" "$KTREE"
	;;
clang-format)
	# It reads the working tree: the series' files must be HEAD's.
	[ -z "$(tree_edits)" ] || die "build/linux has uncommitted edits: commit them first"
	python3 "$TOP/scripts/clang_format_check.py" "$KTREE"
	;;
htmldocs)
	dirs=$(git -C "$KTREE" diff --no-renames --name-only --diff-filter=A base HEAD -- 'Documentation/*.rst' |
		xargs -rn1 dirname | sed 's|^Documentation/||' | sort -u)
	if [ -z "$dirs" ]; then
		echo "htmldocs: the series adds no documentation"
		exit 0
	fi
	# An index the series adds is an entry of a toctree of its parent's.
	for d in $dirs; do
		[ -f "$KTREE/Documentation/$d/index.rst" ] || continue
		python3 - "$KTREE/Documentation/$(dirname "$d")/index.rst" "$(basename "$d")/index" <<-'PY' ||
		import re, sys
		text, want = open(sys.argv[1]).read(), sys.argv[2]
		# A toctree's entries: the indented lines after the directive
		# that are not options, up to the first unindented line.
		for m in re.finditer(r'^\.\. toctree::[^\n]*\n((?:[ \t]+.*\n|\n)*)', text, re.M):
		    entries = [l.strip() for l in m.group(1).splitlines()
		               if l.strip() and not l.strip().startswith(':')]
		    if want in entries:
		        sys.exit(0)
		sys.exit(1)
		PY
			die "Documentation/$d/index.rst is in no toctree of Documentation/$(dirname "$d")/index.rst"
	done
	o=$OUT/htmldocs
	rm -rf "$o"
	mkdir -p "$o"
	rc=0
	# shellcheck disable=SC2086
	# KDOC_WERROR: a kernel-doc warning fails its directive, which Sphinx
	# then reports, rather than going by as a line of kernel-doc's.
	kmake x86_64 O="$o" SPHINXDIRS="$(echo $dirs)" KDOC_WERROR=1 htmldocs > "$o/build.log" 2>&1 || rc=$?
	# Sphinx's note that graphviz is missing is about the tools, not the text.
	found=$(grep -iE '\b(warning|error|critical|severe)\b' "$o/build.log" | grep -v 'dot(1) not found' || true)
	[ -z "$found" ] || echo "$found"
	[ $rc -eq 0 ] || { tail -n 20 "$o/build.log"; die "make htmldocs failed with status $rc"; }
	# Every page is written, and every identifier its kernel-doc
	# directives name is in it: kernel-doc says nothing of one it lacks.
	for d in $dirs; do
		for f in $(cd "$KTREE/Documentation/$d" && ls ./*.rst); do
			f=${f#./}
			html=$o/Documentation/output/$d/${f%.rst}.html
			[ -s "$html" ] || die "make htmldocs wrote no page for Documentation/$d/$f"
			missing=$(python3 - "$KTREE/Documentation/$d/$f" "$html" <<-'PY'
			import re, sys
			rst, html = open(sys.argv[1]).read(), open(sys.argv[2]).read()
			for m in re.finditer(r':(?:identifiers|functions):(.*(?:\n {4,}\S.*)*)', rst):
			    for name in m.group(1).split():
			        if 'id="c.%s"' % name not in html:
			            print(name)
			PY
			)
			[ -z "$missing" ] || die "Documentation/$d/$f: kernel-doc found no comment for: $(echo $missing)"
		done
	done
	echo "htmldocs (SPHINXDIRS=$(echo $dirs)): $(grep -c . <<<"$found" || true) warnings"
	[ -z "$found" ]
	;;
kernel-doc)
	# kernel-doc -none exits 0 whatever it finds; non-zero is a crash.
	# Verbose (-v): also a missing Return: description and a description
	# before the sections; its "info:" and count lines are not findings.
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	: > "$tmp/base"
	: > "$tmp/tip"
	for f in $(touched '*.c' '*.h'); do
		if git -C "$KTREE" cat-file -e "base:$f" 2>/dev/null; then
			mkdir -p "$tmp/b/$(dirname "$f")"
			git -C "$KTREE" show "base:$f" > "$tmp/b/$f"
			(cd "$tmp/b" && perl "$KTREE/scripts/kernel-doc" -v -none "$f") > "$tmp/out" 2>&1 ||
				{ cat "$tmp/out"; die "kernel-doc failed on the base's $f"; }
			grep -vE ': info: |^[0-9]+ (warning|error)s?$' "$tmp/out" | sed 's/:[0-9]*:/:/' >> "$tmp/base" || true
		fi
		(cd "$KTREE" && perl scripts/kernel-doc -v -none "$f") > "$tmp/out" 2>&1 ||
			{ cat "$tmp/out"; die "kernel-doc failed on $f"; }
		grep -vE ': info: |^[0-9]+ (warning|error)s?$' "$tmp/out" | sed 's/:[0-9]*:/:/' >> "$tmp/tip" || true
	done
	new=$(new_findings "$tmp/base" "$tmp/tip")
	[ -z "$new" ] || echo "$new"
	echo "kernel-doc: $(grep -c . <<<"$new" || true) new findings in $(touched '*.c' '*.h' | wc -l) files"
	[ -z "$new" ]
	;;
sparse-*)
	arch=${step#sparse-}
	worktree_at base
	dir_build "$WT" "$arch" "$OUT/check-$arch" C=2 W=1 > "$LOGS/findings-base-$arch" ||
		die "the base does not build on $arch"
	dir_build "$KTREE" "$arch" "$OUT/$arch" C=2 W=1 > "$LOGS/findings-tip-$arch" ||
		die "the series does not build on $arch"
	new=$(new_findings "$LOGS/findings-base-$arch" "$LOGS/findings-tip-$arch")
	[ -z "$new" ] || echo "$new"
	echo "sparse + W=1 ($arch, $(checked_dirs | tr '\n' ' ')): base $(wc -l < "$LOGS/findings-base-$arch"), series $(wc -l < "$LOGS/findings-tip-$arch"), new $(grep -c . <<<"$new" || true)"
	[ -z "$new" ]
	;;
nosva-arm64)
	o=$OUT/arm64-nosva
	worktree_at base
	dir_build "$WT" arm64-nosva "$OUT/check-arm64-nosva" W=1 > "$LOGS/findings-base-nosva" ||
		die "the base does not build without CONFIG_ARM_SMMU_V3_SVA"
	dir_build "$KTREE" arm64-nosva "$o" W=1 > "$LOGS/findings-tip-nosva" ||
		die "the series does not build without CONFIG_ARM_SMMU_V3_SVA"
	grep -qx 'CONFIG_ARM_SMMU_V3=y' "$o/.config" || die "the nosva kernel has no SMMUv3 driver"
	for off in CONFIG_ARM_SMMU_V3_SVA CONFIG_IOMMU_SVA; do
		! grep -q "^$off=" "$o/.config" || die "the nosva kernel has $off"
	done
	[ -f "$o/drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.o" ] ||
		die "the nosva build compiled no SMMUv3 driver"
	# Directory builds link nothing: a stub that is missing only shows
	# when the kernel is linked.
	KTREE=$KTREE BUILD_OUT=$o "$TOP/scripts/build.sh" arm64-nosva > "$o/link.log" 2>&1 ||
		{ tail -n 30 "$o/link.log"; die "the series' kernel without CONFIG_ARM_SMMU_V3_SVA does not link"; }
	new=$(new_findings "$LOGS/findings-base-nosva" "$LOGS/findings-tip-nosva")
	[ -z "$new" ] || echo "$new"
	echo "W=1 without SMMUv3 or core SVA (arm64, $(checked_dirs | tr '\n' ' ')): base $(wc -l < "$LOGS/findings-base-nosva"), series $(wc -l < "$LOGS/findings-tip-nosva"), new $(grep -c . <<<"$new" || true); the kernel links"
	[ -z "$new" ]
	;;
bisect | bisect-*)
	# One build directory per architecture, built incrementally as the
	# worktree steps through the series, as "git rebase -x make" would:
	# each prefix compiles only what it changed. Each object's
	# diagnostics stay beside it (cc-diag.sh), so that a prefix's
	# findings are those of every object it links, rebuilt or not, as a
	# build from scratch would print them, and those of make itself.
	# "bisect" builds both architectures at each prefix side by side:
	# a build that changed little is mostly make's serial walk of the
	# tree, so the two walks share the cores that one leaves idle.
	archs=${step#bisect}
	archs=${archs#-}
	archs=${archs:-x86_64 arm64}
	dirs=$(checked_dirs)
	for arch in $archs; do
		o=$OUT/bisect-$arch
		mkdir -p "$o"
		# An object without its diagnostics (a build stopped half-way,
		# an older workbench) is built again.
		for d in $dirs; do
			[ ! -d "$o/$d" ] || find "$o/$d" -name '*.o' -exec sh -c \
				'for f; do [ -f "$f.diag" ] || rm -f "$f"; done' sh {} +
		done
	done
	# bisect_build ARCH: build the worktree's touched directories in
	# $OUT/bisect-ARCH and print the findings; the build's output goes
	# to stderr. The symbols of the objects built go to
	# $OUT/bisect-ARCH/symbols (nm -A -g), for unresolved.py.
	bisect_build() {
		local arch=$1 o=$OUT/bisect-$1 rc=0 d m nm=nm
		[ "$arch" != arm64 ] || nm=aarch64-linux-gnu-nm
		# shellcheck disable=SC2046
		KMAKE_CC_DIAG=1 KTREE=$WT BUILD_OUT=$o "$TOP/scripts/build.sh" "$arch" W=1 \
			$(for d in $dirs; do echo "$d/"; done) > "$o/make.raw" 2>&1 || rc=$?
		cat "$o/make.raw" >&2
		{
			cat "$o/make.raw"
			for d in $dirs; do
				[ -f "$o/$d/built-in.a" ] || continue
				# A thin archive names its members from where ar runs.
				for m in $(cd "$o" && ar t "$d/built-in.a"); do
					[ -f "$o/$m.diag" ] || die "$m was built without cc-diag.sh"
					cat "$o/$m.diag"
				done
			done
		} | normalize || die "findings.py failed on the build's output"
		rm -f "$o/symbols"
		if [ $rc -eq 0 ]; then
			for d in $dirs; do
				[ ! -f "$o/$d/built-in.a" ] || (cd "$o" && ar t "$d/built-in.a")
			done > "$o/members"
			[ -s "$o/members" ] || { echo "no object was built" >&2; return 1; }
			(cd "$o" && xargs "$nm" -A -g < members) > "$o/symbols" ||
				{ echo "$nm failed" >&2; return 1; }
		fi
		[ $rc -eq 0 ] || echo "build failed with status $rc" >&2
		return $rc
	}
	# build_all WHAT: bisect_build every arch at once, into
	# $LOGS/bisect-WHAT-ARCH (findings) and ARCH.rc (status); the builds'
	# output follows, one arch after the other.
	build_all() {
		local arch
		for arch in $archs; do rm -f "$LOGS/bisect-$1-$arch.rc"; done
		for arch in $archs; do
			(
				rc=0
				bisect_build "$arch" > "$LOGS/bisect-$1-$arch" 2> "$OUT/bisect-$arch/build.err" || rc=$?
				echo $rc > "$LOGS/bisect-$1-$arch.rc"
			) &
		done
		wait
		for arch in $archs; do cat "$OUT/bisect-$arch/build.err" >&2; done
	}
	worktree_at base
	rm -rf "$LOGS"/bisect-*
	mkdir -p "$LOGS/bisect-symbols"
	build_all base
	declare -A bad		# "ARCH N": prefix N fails on ARCH
	for arch in $archs; do
		[ "$(cat "$LOGS/bisect-base-$arch.rc" 2>/dev/null)" = 0 ] || die "the base does not build on $arch"
		cp "$OUT/bisect-$arch/symbols" "$LOGS/bisect-symbols/$arch-0"
	done
	n=0
	for c in $(git -C "$KTREE" rev-list --reverse base..HEAD); do
		n=$((n + 1))
		subject=$(git -C "$KTREE" log -1 --format=%s "$c")
		worktree_at "$c"
		build_all prefix
		for arch in $archs; do
			if [ "$(cat "$LOGS/bisect-prefix-$arch.rc" 2>/dev/null)" != 0 ]; then
				echo "does not build on $arch: $subject"
				sed 's/^/    /' "$LOGS/bisect-prefix-$arch"
				bad["$arch $n"]=1
				continue
			fi
			cp "$OUT/bisect-$arch/symbols" "$LOGS/bisect-symbols/$arch-$n"
			new=$(new_findings "$LOGS/bisect-base-$arch" "$LOGS/bisect-prefix-$arch")
			if [ -n "$new" ]; then
				echo "new W=1 warnings on $arch after: $subject"
				echo "$new"
				bad["$arch $n"]=1
			else
				echo "builds clean on $arch: $subject"
			fi
		done
	done
	# Whether each prefix that built would link: the symbols its objects
	# need against those of the base and the tip (the tip's symbols are
	# known only now), and the base's exports outside the checked
	# directories (what a test calls at one prefix only).
	# shellcheck disable=SC2046
	git -C "$KTREE" grep -hoE '^\s*EXPORT_SYMBOL(_NS)?(_GPL)?\(\s*\w+' base -- '*.c' \
		$(for d in $dirs; do echo ":(exclude)$d"; done) |
		sed -E 's/.*\(\s*//' | sort -u > "$LOGS/bisect-symbols/exports"
	[ -s "$LOGS/bisect-symbols/exports" ] || die "no EXPORT_SYMBOL found in the base"
	i=0
	for c in $(git -C "$KTREE" rev-list --reverse base..HEAD); do
		i=$((i + 1))
		for arch in $archs; do
			f=$LOGS/bisect-symbols/$arch-$i
			# A prefix that did not build failed already; with no
			# symbols of the tip, none is judged (the tip failed).
			[ -f "$f" ] && [ -f "$LOGS/bisect-symbols/$arch-$n" ] || continue
			if ! out=$(python3 "$TOP/scripts/unresolved.py" "$LOGS/bisect-symbols/$arch-0" \
				"$LOGS/bisect-symbols/$arch-$n" "$f" "$LOGS/bisect-symbols/exports"); then
				[ -n "$out" ] || die "unresolved.py failed on $f"
				echo "does not link on $arch (needs what nothing defines, or what neither the base nor the series uses nor the base exports): $(git -C "$KTREE" log -1 --format=%s "$c")"
				sed 's/^/    /' <<<"$out"
				bad["$arch $i"]=1
			fi
		done
	done
	worktree_at base
	failed=0
	for arch in $archs; do
		k=0
		for key in "${!bad[@]}"; do [ "${key% *}" != "$arch" ] || k=$((k + 1)); done
		echo "bisect ($arch, $(tr '\n' ' ' <<<"$dirs")): $((n - k)) of $n prefixes build with no new W=1 warning and link"
		failed=$((failed + k))
	done
	[ $failed -eq 0 ] && [ $n -gt 0 ]
	;;
coccicheck)
	# cocci ARCH TREE OUTDIR FILE...: coccicheck's report on the files, in
	# one make run, located findings only; a run that fails is a failed
	# check, not a clean one.
	cocci() {
		local arch=$1 tree=$2 out=$3
		shift 3
		[ $# -gt 0 ] || return 0
		mkdir -p "$out"
		# coccicheck reports on stdout, which make -s throws away.
		HOME=$CHECKER_HOME KMAKE_SILENT='' KTREE=$tree BUILD_OUT=$out \
			"$TOP/scripts/build.sh" "$arch" C=2 \
			CHECK="$tree/scripts/coccicheck" MODE=report "${@/%.c/.o}" > "$out/cocci.raw" 2>&1 ||
			{ cat "$out/cocci.raw" >&2; die "coccicheck failed on $*"; }
		python3 "$TOP/scripts/findings.py" cocci "$@" < "$out/cocci.raw"
	}
	# A C file that another one #includes (iommu.c includes the benchmark)
	# is no object of its own: coccicheck's one-file mode reads it alone,
	# without the compiler's include paths.
	included() { grep -qF "#include \"$(basename "$2")\"" "$(dirname "$1/$2")"/*.c; }
	cocci_alone() {
		local tree=$1 f=$2
		(cd "$tree" && env HOME="$CHECKER_HOME" C=2 MODE=report srctree=. \
			bash scripts/coccicheck "$f") \
			> "$OUT/cocci-alone.raw" 2>&1 ||
			{ cat "$OUT/cocci-alone.raw" >&2; die "coccicheck failed on $f"; }
		python3 "$TOP/scripts/findings.py" cocci "$f" < "$OUT/cocci-alone.raw"
	}
	# The series' files first; then the base's, only those with a finding
	# in the series: a finding of the base elsewhere cancels none of the
	# series' (findings carry their file), so it could hide nothing.
	files=$(touched_kernel_c)
	: > "$LOGS/cocci-base"
	: > "$LOGS/cocci-tip"
	# cocci_files TREE LOG FILE...: coccicheck on those of the files the
	# tree has, each in a kernel configured for it (ARM code on arm64).
	cocci_files() {
		local tree=$1 log=$2 arch f a out
		shift 2
		for arch in x86_64 arm64; do
			mine=()
			for f; do
				[ -f "$tree/$f" ] || continue
				case "$f" in */arm/*|*/arm64/*) a=arm64 ;; *) a=x86_64 ;; esac
				[ $a = $arch ] || continue
				if included "$tree" "$f"; then
					cocci_alone "$tree" "$f" >> "$log"
				else
					mine+=("$f")
				fi
			done
			out=$OUT/$arch
			[ "$tree" = "$KTREE" ] || out=$OUT/check-$arch
			cocci $arch "$tree" "$out" "${mine[@]}" >> "$log"
		done
	}
	# shellcheck disable=SC2086
	cocci_files "$KTREE" "$LOGS/cocci-tip" $files
	worktree_at base
	# shellcheck disable=SC2046
	cocci_files "$WT" "$LOGS/cocci-base" $(sed 's/: .*//' "$LOGS/cocci-tip" | sort -u)
	new=$(new_findings "$LOGS/cocci-base" "$LOGS/cocci-tip")
	[ -z "$new" ] || echo "$new"
	echo "coccicheck ($(echo $files)): base (in the files with a finding) $(wc -l < "$LOGS/cocci-base"), series $(wc -l < "$LOGS/cocci-tip"), new $(grep -c . <<<"$new" || true)"
	[ -z "$new" ]
	;;
*)
	die "unknown check $step"
	;;
esac
