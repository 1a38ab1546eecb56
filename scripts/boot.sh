#!/usr/bin/env bash
# boot.sh GUEST RUN_ID: boot the kernel that guests/GUEST.conf names (KERNEL,
# by default the debug test kernel of its ARCH) in QEMU as it says, with
# guest-init/init.c as PID 1, and keep the console in
# build/logs/guest-NAME.log (NAME: GUEST with "/" as "-"). The guest
# prints RUN_ID, so a log from any other boot is never judged as this one.
# Fails when the kernel is missing or older than build/linux, when the
# initramfs cannot be made, and when QEMU fails or times out.
# KTREE= and BUILD_OUT= boot a kernel that build.sh built that way;
# GUEST_CONF= takes the guest's definition from that file instead
# (prefix-guests.sh), GUEST naming its log.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

guest=${1:?usage: boot.sh GUEST RUN_ID}
run_id=${2:?usage: boot.sh GUEST RUN_ID}
conf=${GUEST_CONF:-$TOP/guests/$guest.conf}
console=$LOGS/guest-${guest//\//-}.log
rm -f "$console"
[ -f "$conf" ] || die "no guest $guest (guests/*.conf)"
KERNEL=''
# shellcheck source=/dev/null
. "$conf"
KERNEL=${KERNEL:-$ARCH}
kdir=${BUILD_OUT:-$OUT/$KERNEL}
[ "$(kernel_arch "$KERNEL")" = "$ARCH" ] || die "$guest: kernel $KERNEL is not for $ARCH"

g=$BUILD/guest
mkdir -p "$g/$ARCH"
case "$ARCH" in
x86_64)	cc=gcc qemu="qemu-system-x86_64"
	kernel=$kdir/arch/x86/boot/bzImage ;;
arm64)	cc=aarch64-linux-gnu-gcc qemu="qemu-system-aarch64"
	kernel=$kdir/arch/arm64/boot/Image ;;
*)	die "$guest: unknown ARCH $ARCH" ;;
esac
# build.sh writes "built" after a whole kernel built, with its build_stamp:
# boot only a kernel of this tree, as it is, with today's configs, and a
# tree made from today's patches/.
built=$(cat "$kdir/built" 2>/dev/null || true)
[ -n "$built" ] && [ -f "$kernel" ] || die "no $KERNEL kernel built: run 'make build'"
[ "$built" = "$(build_stamp "$KERNEL")" ] ||
	die "the $KERNEL kernel is not built from build/linux as it is now, with configs/ as they are: run 'make build'"
[ "$(git -C "$KTREE" config workbench.series || true)" = "$(series_id)" ] ||
	die "patches/ changed since build/linux was made: run 'make build'"

# The initramfs: the static guest init and a console node.
init=$g/$ARCH/init
rm -f "$init" "$g/$ARCH/initramfs.cpio"
$cc -static -O2 -Wall -Wextra -Werror -o "$init" "$TOP/guest-init/init.c"
cat > "$g/$ARCH/initramfs.list" <<LIST
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /proc 0755 0 0
dir /sys 0755 0 0
file /init $init 0755 0 0
LIST
# The kselftest programs the checks run, from this kernel's build
# (build.sh builds them beside it, from the same tree).
dirs=()
for c in $CHECKS; do
	case $c in kselftest:*) ;; *) continue ;; esac
	prog=${c#kselftest:}
	case $prog in */*) ;; *) die "$guest: $c: a kselftest is named DIR/PROG" ;; esac
	[ -x "$kdir/kselftest/$prog" ] ||
		die "$guest: no kselftest $prog in $kdir/kselftest: run 'make build'"
	d=/kselftest
	for part in $(tr / ' ' <<<"${prog%/*}"); do
		d+=/$part
		case " ${dirs[*]} " in *" $d "*) continue ;; esac
		dirs+=("$d")
	done
	printf 'file /kselftest/%s %s 0755 0 0\n' "$prog" "$kdir/kselftest/$prog" >> "$g/$ARCH/initramfs.list"
done
if [ ${#dirs[@]} -gt 0 ]; then
	{ echo "dir /kselftest 0755 0 0"; for d in "${dirs[@]}"; do echo "dir $d 0755 0 0"; done
	  cat "$g/$ARCH/initramfs.list"; } > "$g/$ARCH/initramfs.list.new"
	mv "$g/$ARCH/initramfs.list.new" "$g/$ARCH/initramfs.list"
fi
"$kdir/usr/gen_init_cpio" "$g/$ARCH/initramfs.list" > "$g/$ARCH/initramfs.cpio"

args=()
# A soft lockup or hung task ends the guest at once (panic=-1 reboots,
# which -no-reboot turns into an exit) rather than at the timeout.
append="$APPEND panic=-1 softlockup_panic=1 hung_task_panic=1 wb.run=$run_id"
# The guest runs the checks in this order; kmemleak scans after
# everything else (disk DMA included) has run, and gcov prints the
# coverage of all of it last.
for c in $CHECKS; do
	case $c in disk-dma | kmemleak | gcov) continue ;; esac
	append+=" wb.check=$c"
done
if [ "$DISK" = yes ]; then
	hash=$(python3 "$TOP/scripts/disk-image.py" "$g/disk.img")
	append+=" wb.check=disk-dma:$hash"
	args+=(-drive "if=none,file=$g/disk.img,format=raw,readonly=on,id=disk"
	       -device "virtio-blk-pci,drive=disk,disable-legacy=on,iommu_platform=on")
fi
case " $CHECKS " in *" kmemleak "*) append+=" wb.check=kmemleak" ;; esac
case " $CHECKS " in *" gcov "*) append+=" wb.check=gcov" ;; esac

rc=0
# shellcheck disable=SC2086
timeout --foreground "${GUEST_TIMEOUT:-900}" \
	$qemu $QEMU_ARGS -display none -monitor none -serial stdio -no-reboot \
	-kernel "$kernel" -initrd "$g/$ARCH/initramfs.cpio" -append "$append" \
	"${args[@]}" < /dev/null > "$console" 2>&1 || rc=$?
[ $rc -ne 124 ] || die "guest $guest timed out after ${GUEST_TIMEOUT:-900}s"
[ $rc -eq 0 ] || die "QEMU exited with status $rc"
echo "guest $guest: QEMU exited normally; console in ${console#"$TOP"/}"
