#!/usr/bin/env bash
# deps.sh [bench]: install the Debian packages the workbench needs (with
# "bench", also those of make bench), if any is missing, as root or through
# sudo, without questions.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgs=(
	# the base: Debian's kernel source
	linux-source-6.1
	# kernel builds for x86_64 and arm64
	build-essential bc bison flex libelf-dev libssl-dev cpio xz-utils kmod ccache
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	# static checks: checkpatch (perl, spdxcheck.py's python3-ply and
	# python3-git), sparse, coccinelle with its OCaml and Python scripting
	python3 python3-ply python3-git perl git sparse coccinelle ocaml-nox libpython3-dev
	# the series applied with quilt, also as a Debian debian/patches/
	quilt
	# the layout of the C files the series adds (.clang-format)
	clang-format
	# the documentation the series adds (make htmldocs)
	python3-sphinx python3-sphinx-rtd-theme
	# make test-long's Debian configurations (linux-config-6.1 from the
	# archive) and the public headers' declarations (make abi-changes)
	curl universal-ctags
	# the guests, and the line coverage of their kernels (genhtml)
	qemu-system-x86 qemu-system-arm lcov
	# the workbench's self-test lints its own scripts
	shellcheck pyflakes3
)
# make bench draws its plot with matplotlib
[ "${1:-}" != bench ] || pkgs+=(python3-matplotlib)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { echo "all ${#pkgs[@]} packages present"; exit 0; }
echo "installing: ${missing[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || die "not root and no sudo: install as root: apt-get install ${missing[*]}"
	sudo=(sudo)
fi
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
