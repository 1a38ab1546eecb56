#!/usr/bin/env bash
# boot.sh GUEST: boot the test kernel of GUEST's architecture in QEMU as
# guests/GUEST.conf says, with the guest init as initramfs, and keep the
# console in build/logs/guest-GUEST.log. results.py judges the log.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

guest=${1:?usage: boot.sh GUEST}
conf=$TOP/guests/$guest.conf
[ -f "$conf" ] || die "no guest $guest (guests/*.conf)"
# shellcheck source=/dev/null
. "$conf"

g=$BUILD/guest
mkdir -p "$g/$ARCH"
case "$ARCH" in
x86_64)	cc=gcc; qemu=qemu-system-x86_64
	kernel=$OUT/x86_64/arch/x86/boot/bzImage ;;
arm64)	cc=aarch64-linux-gnu-gcc; qemu=qemu-system-aarch64
	kernel=$OUT/arm64/arch/arm64/boot/Image ;;
esac
[ -f "$kernel" ] || die "no kernel for $ARCH: run scripts/build.sh $ARCH"

# The initramfs: the static guest init and a console node.
init=$g/$ARCH/init
if [ ! -x "$init" ] || [ "$TOP/guest/init.c" -nt "$init" ]; then
	$cc -static -O2 -Wall -Wextra -Werror -o "$init" "$TOP/guest/init.c"
fi
cat > "$g/$ARCH/initramfs.list" <<LIST
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /proc 0755 0 0
dir /sys 0755 0 0
file /init $init 0755 0 0
LIST
"$OUT/$ARCH/usr/gen_init_cpio" "$g/$ARCH/initramfs.list" > "$g/$ARCH/initramfs.cpio"

args=()
append="$APPEND panic=-1"
for c in $CHECKS; do
	[ "$c" = disk-dma ] && continue
	append+=" wb.check=$c"
done
if [ "$DISK" = yes ]; then
	# 8 MiB of fixed pseudo-random data, and its FNV-1a hash.
	if [ ! -f "$g/disk.img" ]; then
		rm -f "$g/disk.img.fnv"
		python3 - "$g/disk.img" <<'PY'
import hashlib, sys
with open(sys.argv[1], 'wb') as f:
    for i in range(8 << 20 >> 5):
        f.write(hashlib.sha256(i.to_bytes(4, 'little')).digest())
PY
	fi
	if [ ! -f "$g/disk.img.fnv" ]; then
		python3 - "$g/disk.img" > "$g/disk.img.fnv" <<'PY'
import sys
h = 0xcbf29ce484222325
for b in open(sys.argv[1], 'rb').read():
    h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
print('%016x' % h)
PY
	fi
	hash=$(cat "$g/disk.img.fnv")
	append+=" wb.check=disk-dma:$hash"
	args+=(-drive "if=none,file=$g/disk.img,format=raw,readonly=on,id=disk"
	       -device virtio-blk-pci,drive=disk,disable-legacy=on,iommu_platform=on)
fi

# shellcheck disable=SC2086
timeout --foreground "${GUEST_TIMEOUT:-900}" \
	$qemu $QEMU_ARGS -display none -monitor none -serial stdio -no-reboot \
	-kernel "$kernel" -initrd "$g/$ARCH/initramfs.cpio" -append "$append" \
	"${args[@]}" < /dev/null > "$LOGS/guest-$guest.log" 2>&1 || {
	rc=$?
	[ $rc -eq 124 ] && echo "guest $guest timed out" >> "$LOGS/guest-$guest.log"
}
exit 0
