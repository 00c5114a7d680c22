# shellcheck shell=bash
# pipyos-run: boot a PiPyOS SD image in QEMU's raspi0 board, the same QEMU
# command as `cargo xtask run`. Body of a writeShellApplication (nix/packages.nix),
# which puts qemu, pipyos-mkimage and coreutils on PATH, sets
# PIPYOS_DEFAULT_IMAGE and runs it with errexit, nounset and pipefail.

usage() {
	cat <<EOF
usage: pipyos-run [--image FILE] [--serial SPEC] [-- QEMU-ARGUMENTS...]

Boots a PiPyOS SD image on QEMU's emulated Raspberry Pi Zero (raspi0).
  --image FILE    the image (default: ${PIPYOS_DEFAULT_IMAGE:-none})
  --serial SPEC   QEMU -serial backend of the console (default: mon:stdio,
                  this terminal; Ctrl-A X quits, Ctrl-A C toggles the monitor)
  -- ARGUMENTS    passed on to qemu-system-arm
The image is copied to a writable temporary file first: the board writes to
its SD card, and the original stays untouched.
EOF
}

image=${PIPYOS_DEFAULT_IMAGE:-}
serial=mon:stdio
qemu_extra=()
while [ $# -gt 0 ]; do
	case $1 in
	--image)
		[ $# -ge 2 ] || {
			usage >&2
			exit 64
		}
		image=$2
		shift 2
		;;
	--serial)
		[ $# -ge 2 ] || {
			usage >&2
			exit 64
		}
		serial=$2
		shift 2
		;;
	-h | --help)
		usage
		exit 0
		;;
	--)
		shift
		qemu_extra=("$@")
		break
		;;
	*)
		echo "pipyos-run: unknown argument: $1" >&2
		usage >&2
		exit 64
		;;
	esac
done

if [ -z "$image" ] || [ ! -f "$image" ]; then
	echo "pipyos-run: no image file: '$image' (use --image FILE)" >&2
	exit 66
fi

workdir=$(mktemp -d "${TMPDIR:-/tmp}/pipyos-run.XXXXXX")
trap 'rm -rf "$workdir"' EXIT

cp --no-preserve=mode,ownership "$image" "$workdir/sd.img"

# QEMU plays the GPU firmware: -bios puts kernel.img at 0x8000 and the loader
# puts initfs.cpio at 0x2000000, as config.txt asks (see xtask/src/qemu.rs).
pipyos-mkimage extract "$workdir/sd.img" kernel.img "$workdir/kernel.img"
initfs_arguments=()
if pipyos-mkimage extract "$workdir/sd.img" initfs.cpio "$workdir/initfs.cpio"; then
	initfs_arguments=(-device "loader,file=$workdir/initfs.cpio,addr=0x2000000,force-raw=on")
else
	echo "pipyos-run: the image has no initfs.cpio; booting without it" >&2
fi

if [ "$serial" = mon:stdio ]; then
	echo "PiPyOS on QEMU raspi0: Ctrl-A X quits, Ctrl-A C toggles the QEMU monitor." >&2
fi

qemu-system-arm -M raspi0 -nographic \
	-serial "$serial" \
	-bios "$workdir/kernel.img" \
	"${initfs_arguments[@]}" \
	-drive "if=sd,format=raw,file=$workdir/sd.img" \
	"${qemu_extra[@]}"
