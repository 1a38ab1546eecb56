#!/usr/bin/env bash
# Make build/linux a git tree: the Debian base as one commit tagged "base",
# then one commit per patch of patches/series. An existing tree is reused;
# it is re-applied only when patches/ changed, and never over local work.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# A directory the workbench did not make (KTREE pointing at your own tree)
# is never changed or removed.
if [ -e "$KTREE" ] && [ -z "$(git -C "$KTREE" config workbench.tarball 2>/dev/null)" ]; then
	die "$KTREE was not made by the workbench: leaving it alone (point KTREE elsewhere)"
fi

tarball=$(base_field tarball)
want_version=$(base_field version)
want_sha=$(base_field sha256)

[ -f "$tarball" ] || die "$tarball missing: run 'make deps' (apt-get install $(base_field package))"
version=$(dpkg-query -W -f='${Version}' "$(base_field package)" 2>/dev/null || echo unknown)
sha=$(sha256sum "$tarball" | cut -d' ' -f1)
echo "base: $(base_field package) $version"
echo "sha256: $sha"
if [ "$version" != "$want_version" ] || [ "$sha" != "$want_sha" ]; then
	echo "note: the series was tested on $want_version ($want_sha);"
	echo "      the archive now serves $version. Applying to it anyway."
fi

# Fixed identity and dates make the base commit id depend only on the
# tarball's content: the same base gives the same tree and commit ids.
git_fixed() {
	GIT_AUTHOR_NAME=workbench GIT_AUTHOR_EMAIL=workbench@localhost \
	GIT_COMMITTER_NAME=workbench GIT_COMMITTER_EMAIL=workbench@localhost \
	GIT_AUTHOR_DATE="2022-12-11T00:00:00Z" GIT_COMMITTER_DATE="2022-12-11T00:00:00Z" \
	git -C "$KTREE" "$@"
}

# local_work: what in the tree has not been exported to patches/, if anything.
local_work() {
	local applied edits
	applied=$(git -C "$KTREE" config workbench.applied || true)
	[ "$(git -C "$KTREE" rev-parse HEAD)" = "$applied" ] ||
		echo "commits that are not in patches/ (export them: make export)"
	edits=$(tree_edits)
	[ -z "$edits" ] || printf 'uncommitted edits (commit and export them):\n%s\n' "$edits"
}

if [ "$(git -C "$KTREE" config workbench.tarball 2>/dev/null)" != "$sha" ]; then
	if [ -e "$KTREE" ]; then
		work=$(local_work)
		[ -z "$work" ] || die "${KTREE#"$TOP"/} is on another base and has $work"
	fi
	echo "unpacking $tarball"
	# Unpacked beside its place and moved there whole: an interrupted
	# unpack leaves nothing that looks like a tree of ours.
	new=$(mktemp -d "$(dirname "$KTREE")/.tree.XXXXXX")
	trap 'rm -rf "$new"' EXIT
	tar -xf "$tarball" -C "$new" --strip-components=1
	git -C "$new" init -q -b main
	# No background repacking: it would hold build/lock (and two cores)
	# long after the command that started it ended.
	git -C "$new" config gc.auto 0
	git -C "$new" config maintenance.auto false
	# Debian's top-level .gitignore ignores everything ("/*"): add by force.
	git -C "$new" add -f -A .
	KTREE=$new git_fixed commit -q -m "base: $(base_field package) $version" -m "sha256: $sha"
	git -C "$new" tag -f base >/dev/null
	# The series' commits keep their authors; git am needs a committer.
	git -C "$new" config user.name "$(git -C "$TOP" config user.name || echo workbench)"
	git -C "$new" config user.email "$(git -C "$TOP" config user.email || echo workbench@localhost)"
	git -C "$new" config workbench.applied "$(git -C "$new" rev-parse HEAD)"
	git -C "$new" config workbench.tarball "$sha"
	rm -rf "$KTREE" "$BUILD/check-tree" "$BUILD/bench-tree" "$BUILD/config-build-tree" "$BUILD/prefix-tree"
	mv "$new" "$KTREE"
	trap - EXIT
fi

want=$(series_id)
have=$(git -C "$KTREE" config workbench.series || true)
work=$(local_work)
if [ "$want" = "$have" ] && [ -z "$work" ]; then
	echo "series already applied ($(git -C "$KTREE" rev-list --count base..HEAD) patches)"
	exit 0
fi
[ -z "$work" ] || die "${KTREE#"$TOP"/} has $work"

git -C "$KTREE" reset -q --hard base
git -C "$KTREE" config --unset workbench.series || true
git -C "$KTREE" config workbench.applied "$(git -C "$KTREE" rev-parse base)"
n=0
for p in $(series_patches); do
	if ! git -C "$KTREE" am -q --keep-cr "$PATCHES/$p" >"$LOGS/am.log" 2>&1; then
		cat "$LOGS/am.log"
		git -C "$KTREE" am --abort || true
		git -C "$KTREE" reset -q --hard base
		die "$p does not apply to $(base_field package) $version"
	fi
	n=$((n + 1))
done
git -C "$KTREE" config workbench.series "$want"
git -C "$KTREE" config workbench.applied "$(git -C "$KTREE" rev-parse HEAD)"
echo "applied $n patches"
