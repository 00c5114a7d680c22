//! The xtask commands.
use std::{
    path::{Path, PathBuf},
    process::Command,
};

use lexopt::prelude::*;

use crate::{buildinfo::BuildInfo, kernel, paths, qemu, reproduce};

/// Options shared by the commands.
struct Options {
    profile: String,
    out_directory: PathBuf,
    out_file: Option<PathBuf>,
    app: Option<PathBuf>,
    packages: Vec<PathBuf>,
    firmware: Option<PathBuf>,
    version: Option<String>,
    image: Option<PathBuf>,
    host_only: bool,
    frozen_stdlib: bool,
    serial: String,
    screen: bool,
    /// `run`: USB devices to plug into the emulated board (`keyboard`, `mouse`, `net`).
    usb_devices: Vec<String>,
    script: Option<PathBuf>,
    top: Option<String>,
    folded: Option<PathBuf>,
}

fn parse(arguments: Vec<String>) -> Result<(String, Options), String> {
    let mut parser = lexopt::Parser::from_args(arguments);
    let mut command = None;
    let mut options = Options {
        profile: "release".to_owned(),
        out_directory: paths::output_directory(),
        out_file: None,
        app: None,
        packages: Vec::new(),
        firmware: None,
        version: None,
        image: None,
        host_only: false,
        serial: "stdio".to_owned(),
        screen: false,
        usb_devices: Vec::new(),
        script: None,
        top: None,
        folded: None,
        // Measured (README): importing from the initfs compiles source at every import
        // (`import json` 618 M instructions); frozen bytecode takes 113 M.
        frozen_stdlib: true,
    };
    let text = |error: lexopt::Error| error.to_string();
    while let Some(argument) = parser.next().map_err(text)? {
        let path = |parser: &mut lexopt::Parser| -> Result<PathBuf, String> {
            Ok(PathBuf::from(parser.value().map_err(text)?))
        };
        match argument {
            Long("profile") => {
                options.profile = parser.value().map_err(text)?.string().map_err(text)?
            }
            Long("out-dir") => options.out_directory = path(&mut parser)?,
            Long("out") => options.out_file = Some(path(&mut parser)?),
            Long("app") => options.app = Some(path(&mut parser)?),
            Long("packages") => options.packages.push(path(&mut parser)?),
            Long("firmware") => options.firmware = Some(path(&mut parser)?),
            Long("version") => {
                options.version = Some(parser.value().map_err(text)?.string().map_err(text)?)
            }
            Long("image") => options.image = Some(path(&mut parser)?),
            Long("host-only") => options.host_only = true,
            Long("serial") => {
                options.serial = parser.value().map_err(text)?.string().map_err(text)?
            }
            Long("stdlib-in-initfs") => options.frozen_stdlib = false,
            Long("screen") => options.screen = true,
            Long("usb") => {
                let device = parser.value().map_err(text)?.string().map_err(text)?;
                if !["keyboard", "mouse", "net"].contains(&device.as_str()) {
                    return Err(format!("--usb {device}: keyboard, mouse or net"));
                }
                options.usb_devices.push(device);
            }
            Long("script") => options.script = Some(path(&mut parser)?),
            Long("folded") => options.folded = Some(path(&mut parser)?),
            Long("top") => {
                options.top = Some(parser.value().map_err(text)?.string().map_err(text)?)
            }
            Short('h') | Long("help") => return Err(crate::USAGE.to_owned()),
            Value(value) if command.is_none() => command = Some(value.string().map_err(text)?),
            other => return Err(format!("{}\n\n{}", other.unexpected(), crate::USAGE)),
        }
    }
    let command = command.ok_or_else(|| crate::USAGE.to_owned())?;
    Ok((command, options))
}

/// Runs one command.
pub fn dispatch(arguments: Vec<String>) -> Result<(), String> {
    let (command, options) = parse(arguments)?;
    match command.as_str() {
        "kernel" => kernel::build_images(
            &options.profile,
            options.frozen_stdlib,
            &build_info(&options)?,
            &options.out_directory,
        )
        .map(drop),
        "initfs" => {
            let out = options
                .out_file
                .clone()
                .unwrap_or_else(|| options.out_directory.join("initfs.cpio"));
            build_initfs(&options, &out)
        }
        "image" => build_image(&options).map(drop),
        "run" => run(&options),
        "test" => test(&options),
        "bench" => bench(&options),
        "lint" => kernel::clippy(&options.profile, &build_info(&options)?),
        "profile" => profile(&options),
        "reproduce" => reproduce::run(&options.profile, options.frozen_stdlib),
        other => Err(format!("unknown command `{other}`\n\n{}", crate::USAGE)),
    }
}

/// Parts of RustPython's Lib that make no sense on the board (GUI, package installers,
/// processes, terminals, databases, the interactive help's data) and are left out of the image.
const STDLIB_EXCLUDED: [&str; 13] = [
    "idlelib",
    "ensurepip",
    "tkinter",
    "turtledemo",
    "turtle.py",
    "pydoc_data",
    "venv",
    "multiprocessing",
    "concurrent",
    "curses",
    "dbm",
    "sqlite3",
    "lib2to3",
];

/// Where things go in the initfs (mounted at `/` on the board).
const STDLIB_PREFIX: &str = "lib/python";
const PACKAGES_PREFIX: &str = "lib/site-packages";
const EXAMPLES_PREFIX: &str = "examples";
const APP_PREFIX: &str = "app";

/// The build facts (version, revision, source date) of this checkout.
fn build_info(options: &Options) -> Result<BuildInfo, String> {
    let version = options.version.clone().unwrap_or_else(project_version);
    BuildInfo::of(&paths::repository(), &version)
}

fn build_initfs(options: &Options, out: &Path) -> Result<(), String> {
    let mut packer = initfs::Packer::new();
    let epoch = build_info(options)?.source_date_epoch;
    packer.mtime(
        u32::try_from(epoch).map_err(|_| format!("SOURCE_DATE_EPOCH {epoch} is past 2106"))?,
    );
    let error = |error: initfs::Error| error.to_string();
    let stdlib = kernel::python_stdlib_directory()?;
    // With the standard library frozen into the kernel, the initfs does not carry it again.
    let mut entries = if options.frozen_stdlib {
        Vec::new()
    } else {
        std::fs::read_dir(&stdlib)
            .map_err(|error| format!("{}: {error}", stdlib.display()))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| format!("{}: {error}", stdlib.display()))?
    };
    entries.sort_by_key(|entry| entry.file_name());
    packer.add_directory(STDLIB_PREFIX).map_err(error)?;
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if STDLIB_EXCLUDED.contains(&name.as_str()) || name == "__pycache__" {
            continue;
        }
        let destination = format!("{STDLIB_PREFIX}/{name}");
        if entry.path().is_dir() {
            packer
                .add_tree(&destination, &entry.path())
                .map_err(error)?;
        } else if name.ends_with(".py") {
            let data = std::fs::read(entry.path())
                .map_err(|e| format!("{}: {e}", entry.path().display()))?;
            packer.add_file(&destination, data, 0o644).map_err(error)?;
        }
    }
    let python_packages = paths::repository().join("python-packages");
    for entry in std::fs::read_dir(&python_packages)
        .map_err(|e| format!("{}: {e}", python_packages.display()))?
    {
        let entry = entry.map_err(|e| e.to_string())?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.path().is_dir() || name.starts_with('.') || name == "__pycache__" {
            continue;
        }
        let destination = if name == "examples" {
            EXAMPLES_PREFIX.to_owned()
        } else {
            format!("{PACKAGES_PREFIX}/{name}")
        };
        packer
            .add_tree(&destination, &entry.path())
            .map_err(error)?;
    }
    for extra in &options.packages {
        packer.add_tree(PACKAGES_PREFIX, extra).map_err(error)?;
    }
    if let Some(app) = &options.app {
        packer.add_tree(APP_PREFIX, app).map_err(error)?;
    }
    let bytes = packer.finish().map_err(error)?;
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(out, &bytes).map_err(|e| format!("{}: {e}", out.display()))?;
    println!(
        "initfs: {} ({} entries, {} bytes)",
        out.display(),
        packer.entry_count(),
        bytes.len()
    );
    Ok(())
}

/// The project version: `[workspace.package] version` of the root Cargo.toml.
fn project_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

fn build_image(options: &Options) -> Result<PathBuf, String> {
    let info = build_info(options)?;
    let (_, kernel_image) = kernel::build_images(
        &options.profile,
        options.frozen_stdlib,
        &info,
        &options.out_directory,
    )?;
    let initfs_path = options.out_directory.join("initfs.cpio");
    build_initfs(options, &initfs_path)?;
    let version = options.version.clone().unwrap_or_else(project_version);
    let mut command = Command::new(paths::tool("CARGO", "cargo"));
    command
        .current_dir(paths::repository())
        .args([
            "run",
            "--quiet",
            "--package",
            "pipyos-images",
            "--bin",
            "pipyos-mkimage",
            "--",
            "build",
        ])
        .arg("--kernel")
        .arg(&kernel_image)
        .arg("--initfs")
        .arg(&initfs_path)
        .args(["--version", &version])
        .arg("--out-dir")
        .arg(&options.out_directory);
    if info.revision != "unknown" {
        command.args(["--git-revision", &info.revision]);
    }
    // The image's timestamps: the same source date as the kernel's version strings.
    command.env("SOURCE_DATE_EPOCH", info.source_date_epoch.to_string());
    if let Some(firmware) = &options.firmware {
        command.arg("--firmware").arg(firmware);
    }
    kernel::run(&mut command, "image composition")?;
    let image = options
        .out_directory
        .join(images::image_file_name(&version));
    Ok(image)
}

/// The image to boot: `--image`, or a fresh build.
fn image_for(options: &Options) -> Result<PathBuf, String> {
    match &options.image {
        Some(image) => Ok(image.clone()),
        None => build_image(options),
    }
}

fn run(options: &Options) -> Result<(), String> {
    let image = image_for(options)?;
    let files = qemu::extract_boot_files(&image, &options.out_directory.join("boot"))?;
    let mut command = Command::new(qemu::qemu_binary());
    command.args(qemu::boot_arguments(&files, &image));
    for device in &options.usb_devices {
        match device.as_str() {
            "keyboard" => command.args(["-device", "usb-kbd"]),
            "mouse" => command.args(["-device", "usb-mouse"]),
            // User networking that only reaches the host's loopback.
            _ => command.args([
                "-netdev",
                "user,id=net0,restrict=on",
                "-device",
                "usb-net,netdev=net0",
            ]),
        };
    }
    if options.screen {
        // QEMU's window shows the HDMI screen; the serial console stays where asked.
        println!(
            "Booting {} in QEMU (raspi0): the screen in QEMU's window, serial on `{}`. \
             Close the window to stop.",
            image.display(),
            options.serial
        );
        command
            .args(["-monitor", "none", "-serial"])
            .arg(&options.serial);
    } else if options.serial == "stdio" {
        println!(
            "Booting {} in QEMU (raspi0). Quit with Ctrl-A then X.",
            image.display()
        );
        command.arg("-nographic");
    } else {
        // e.g. `pty` (QEMU prints the /dev/pts/N to give mpremote or Thonny) or
        // `tcp:127.0.0.1:4444,server=on`: any QEMU character device.
        println!(
            "Booting {} in QEMU (raspi0), console on `{}`. Stop with Ctrl-C.",
            image.display(),
            options.serial
        );
        command
            .args(["-display", "none", "-monitor", "none", "-serial"])
            .arg(&options.serial);
    }
    kernel::run(&mut command, "QEMU")
}

fn test(options: &Options) -> Result<(), String> {
    let cargo = paths::tool("CARGO", "cargo");
    kernel::run(
        Command::new(&cargo)
            .current_dir(paths::repository())
            .args(["test", "--workspace"]),
        "host tests",
    )?;
    test_kernel_build_patches()?;
    if options.host_only {
        return Ok(());
    }
    let image = image_for(options)?;
    let mut command = Command::new(paths::tool("PYTHON", "python3"));
    command
        .current_dir(paths::repository())
        .arg("tests/emulated/run_tests.py")
        .arg("--image")
        .arg(&image)
        .arg("--mkimage")
        .arg(host_tool("pipyos-images", "pipyos-mkimage")?)
        .arg("--initfs-tool")
        .arg(host_tool("pipyos-initfs", "pipyos-initfs")?)
        .arg("--render-text")
        .arg(host_tool("pipyos-fbconsole", "pipyos-render-text")?);
    // After the script: these are its options, not the interpreter's.
    match test_tools_environment() {
        Ok(mpremote) => {
            command.arg("--mpremote").arg(mpremote);
        }
        Err(reason) => println!("xtask: the mpremote tests will be skipped: {reason}"),
    }
    kernel::run(&mut command, "emulated tests")
}

/// A virtual environment with the emulated tests' host tools (tests/emulated/requirements.txt:
/// the pinned mpremote from PyPI); returns the mpremote executable.
fn test_tools_environment() -> Result<PathBuf, String> {
    let environment = paths::host_target_directory().join("test-tools");
    let mpremote = environment.join("bin").join("mpremote");
    let requirements = paths::repository().join("tests/emulated/requirements.txt");
    let stamp = environment.join("requirements.txt");
    let wanted = std::fs::read(&requirements).map_err(|error| error.to_string())?;
    if mpremote.exists() && std::fs::read(&stamp).ok().as_deref() == Some(wanted.as_slice()) {
        return Ok(mpremote);
    }
    let python = paths::tool("PYTHON", "python3");
    kernel::run(
        Command::new(&python).args(["-m", "venv"]).arg(&environment),
        "creating the test tools' virtual environment",
    )?;
    kernel::run(
        Command::new(environment.join("bin").join("pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(&requirements),
        "installing the test tools (pip)",
    )?;
    std::fs::write(&stamp, wanted).map_err(|error| error.to_string())?;
    Ok(mpremote)
}

/// Tests the crates that patch the kernel's dependencies (patches/): they build RustPython's
/// compiler for the host, which needs the kernel's toolchain (Debian's Rust 1.96).
fn test_kernel_build_patches() -> Result<(), String> {
    let (cargo, rustc) = paths::kernel_cargo();
    let manifest = paths::repository().join("patches/rustpython-derive/Cargo.toml");
    let mut command = Command::new(&cargo);
    command
        .current_dir(paths::repository())
        .arg("test")
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--target-dir")
        .arg(paths::repository().join("target/patches"))
        .env("RUSTDOC", paths::rustdoc_beside(&rustc))
        .env("RUSTC", rustc)
        .env("CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS", "fallback")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR");
    if std::env::var_os("PIPYOS_OFFLINE").is_some() {
        command.arg("--offline");
    }
    kernel::run(&mut command, "tests of patches/rustpython-derive")
}

/// Builds the benchmark's QEMU plugin (bench/qemu-plugin) and returns the shared library.
fn qemu_plugin() -> Result<PathBuf, String> {
    let cargo = paths::tool("CARGO", "cargo");
    kernel::run(
        Command::new(&cargo).current_dir(paths::repository()).args([
            "build",
            "--quiet",
            "--release",
            "--package",
            "pipyos-qemu-plugin",
        ]),
        "building the QEMU plugin",
    )?;
    Ok(paths::host_target_directory()
        .join("release")
        .join("libpipyos_qemu_plugin.so"))
}

/// Builds a host tool of the workspace and returns its path (the test driver uses the
/// composer's reader and the initfs packer).
fn host_tool(package: &str, binary: &str) -> Result<PathBuf, String> {
    let cargo = paths::tool("CARGO", "cargo");
    kernel::run(
        Command::new(&cargo).current_dir(paths::repository()).args([
            "build",
            "--quiet",
            "--package",
            package,
            "--bin",
            binary,
        ]),
        &format!("building {binary}"),
    )?;
    Ok(paths::host_target_directory().join("debug").join(binary))
}

/// `cargo xtask profile`: the boot (or a script, boot subtracted) by function, with the QEMU
/// plugin's exact block counts and sampled call stacks (bench/profile.py).
fn profile(options: &Options) -> Result<(), String> {
    let mut command = guest_measurement("bench/profile.py", options)?;
    if let Some(script) = &options.script {
        command.arg("--script").arg(script);
    }
    if let Some(top) = &options.top {
        command.args(["--top", top]);
    }
    if let Some(folded) = &options.folded {
        command.arg("--folded").arg(folded);
    }
    kernel::run(&mut command, "profile")
}

/// A `bench/` script with the image (built if not given), the composer, the kernel ELF and
/// the QEMU plugin: what run_bench.py and profile.py both take.
fn guest_measurement(script: &str, options: &Options) -> Result<Command, String> {
    let image = image_for(options)?;
    let mut command = Command::new(paths::tool("PYTHON", "python3"));
    command
        .current_dir(paths::repository())
        .arg(script)
        .arg("--image")
        .arg(&image)
        .arg("--mkimage")
        .arg(host_tool("pipyos-images", "pipyos-mkimage")?)
        .arg("--kernel-elf")
        .arg(options.out_directory.join("kernel.elf"))
        .arg("--plugin")
        .arg(qemu_plugin()?);
    Ok(command)
}

fn bench(options: &Options) -> Result<(), String> {
    let mut command = guest_measurement("bench/run_bench.py", options)?;
    match test_tools_environment() {
        Ok(mpremote) => {
            command.arg("--mpremote").arg(mpremote);
        }
        Err(reason) => println!("xtask: the raw-paste upload figure will be skipped: {reason}"),
    }
    kernel::run(&mut command, "benchmarks")
}
