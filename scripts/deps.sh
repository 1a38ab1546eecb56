#!/usr/bin/env bash
# Install the Debian packages the workbench needs, if any is missing.
set -euo pipefail
pkgs=(linux-source-6.1 build-essential bc bison flex libelf-dev libssl-dev
      cpio xz-utils kmod python3 python3-ply python3-git perl git ccache sparse coccinelle
      gcc-aarch64-linux-gnu libc6-dev-arm64-cross
      qemu-system-x86 qemu-system-arm)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { echo "all packages present"; exit 0; }
echo "installing: ${missing[*]}"
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
