# Check `boot`: runs the project's emulated tests (tests/emulated/run_tests.py)
# against the built SD image in QEMU's raspi0 board. Pure emulation, so it
# needs no KVM and runs in the ordinary build sandbox.
{
  pkgs,
  pipyos,
}:
pkgs.runCommand "pipyos-boot-test" {
  nativeBuildInputs = [pkgs.qemu pkgs.python3];
  meta.description = "PiPyOS emulated tests against the SD image";
} ''
  set -o pipefail
  export HOME=$TMPDIR
  mkdir -p $out
  python3 ${pipyos.sources.tests}/tests/emulated/run_tests.py \
    --image ${pipyos.sdImage.imageFile} \
    --mkimage ${pkgs.lib.getExe pipyos.mkimage} \
    --initfs-tool ${pipyos.mkimage}/bin/pipyos-initfs \
    --render-text ${pipyos.mkimage}/bin/pipyos-render-text \
    --qemu qemu-system-arm 2>&1 | tee $out/boot-test.log
''
