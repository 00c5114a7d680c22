# Check `nixos-vm-kvm`: a NixOS machine runs the image on QEMU's raspi0 board
# (a nested QEMU inside the test VM: the test driver gives every machine it
# starts virtio devices, which raspi0 does not have) and the test script uses
# the Python REPL over the board's serial console.
#
# Needs KVM on the builder (hence the name): runNixOSTest marks the derivation
# with requiredSystemFeatures = [ "nixos-test" "kvm" ] on Linux. To poke at the
# board by hand:
#   nix build .#checks.x86_64-linux.nixos-vm-kvm.driverInteractive
#   ./result/bin/nixos-test-driver   (or: nix run .#checks.x86_64-linux.nixos-vm-kvm.driverInteractive)
#   >>> start_all()
#   >>> board.wait_for_unit("pipyos-board.service")
#   >>> board.shell_interact()
#   socat - UNIX-CONNECT:/run/pipyos/console.sock
{
  pkgs,
  pipyos,
}: let
  consoleSocket = "/run/pipyos/console.sock";
  consoleExpect =
    pkgs.writers.writePython3Bin "pipyos-console-expect" {}
    (builtins.readFile ./console_expect.py);
in
  pkgs.testers.runNixOSTest {
    name = "pipyos-nixos-vm";

    nodes.board = {
      virtualisation.memorySize = 2048;
      virtualisation.cores = 2;
      environment.systemPackages = [pkgs.qemu pkgs.socat pipyos.mkimage consoleExpect];

      # The board as a service: pipyos-run copies the image to a writable
      # file and starts QEMU with the serial console on a unix socket. With
      # wait=on QEMU starts the board only once a client connects, so the
      # first client sees the whole boot.
      systemd.services.pipyos-board = {
        description = "PiPyOS SD image on QEMU's emulated Raspberry Pi Zero";
        wantedBy = ["multi-user.target"];
        serviceConfig = {
          ExecStart = "${pkgs.lib.getExe pipyos.sdImage.runner} --serial unix:${consoleSocket},server=on,wait=on -- -monitor none";
          RuntimeDirectory = "pipyos";
        };
      };
    };

    testScript = ''
      start_all()
      board.wait_for_unit("pipyos-board.service")

      # Wait for the prompt, compute 1+1, expect 2 on a line of its own and
      # the next prompt. The timeout covers the emulated boot.
      transcript = board.succeed(
          "pipyos-console-expect --timeout 600 ${consoleSocket}"
          " expect '>>> ' send '1+1' expect-line 2 expect '>>> '",
          timeout=900,
      )
      print(transcript)

      # The board is still running after the session.
      board.succeed("systemctl is-active pipyos-board.service")
    '';
  }
