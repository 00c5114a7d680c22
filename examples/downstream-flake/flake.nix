{
  description = "An application for PiPyOS, shipped as a Raspberry Pi 1 / Zero SD-card image";

  # A PiPyOS release, pinned by its tag; flake.lock (written by the first
  # `nix build`) records the exact revision and hash. To build against a
  # local PiPyOS checkout instead (before a release has the tag, or to try a
  # change), leave this line alone and override the input per command (see
  # README.md):
  #   nix build --no-write-lock-file --override-input pipyos "path:$HOME/src/pipyos"
  # or write `inputs.pipyos.url = "path:/absolute/path/to/pipyos";` here.
  inputs.pipyos.url = "github:pipyos/pipyos/v0.1.0";

  outputs = {pipyos, ...}: let
    system = "x86_64-linux";
    image = pipyos.lib.mkSdImage {
      inherit system;
      # Copied into the image's initfs; PiPyOS runs app/main.py.
      app = ./app;
      # Extra config.txt lines, after PiPyOS's defaults.
      config = {gpu_mem = 16;};
    };
  in {
    packages.${system}.default = image;

    # `nix run`: boot the image in QEMU, serial console on the terminal.
    apps.${system}.default = {
      type = "app";
      program = "${image.runner}/bin/pipyos-run";
    };
  };
}
