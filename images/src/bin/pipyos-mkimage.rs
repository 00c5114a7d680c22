//! `pipyos-mkimage`: builds, lists and extracts from PiPyOS SD-card images.
#![forbid(unsafe_code)]

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use lexopt::ValueExt;

use images::{
    image_file_name, list_boot_files, load_firmware_dir, parse_source_date_epoch, read_boot_file,
    read_input_file, read_partition_table, write_image_file, Error, ImageSpec,
    DEFAULT_BOOT_PARTITION_SIZE, DEFAULT_IMAGE_SIZE, DEFAULT_SOURCE_DATE_EPOCH, MIB,
    NO_FIRMWARE_WARNING,
};

/// The program name used in messages.
const PROGRAM: &str = "pipyos-mkimage";

/// The help text.
const USAGE: &str = "\
usage:
  pipyos-mkimage build --kernel FILE [--initfs FILE] [--firmware DIR] [--config FILE]
                       [--version V] [--git-revision R] [--size-mib N] [--boot-mib N]
                       [--data DIR]
                       (--out FILE | --out-dir DIR)
  pipyos-mkimage extract IMAGE NAME OUT_FILE     (OUT_FILE - writes to stdout)
  pipyos-mkimage list IMAGE
  pipyos-mkimage --help | --version

build options:
  --kernel FILE        raw kernel binary, stored as kernel.img (required)
  --initfs FILE        cpio archive, stored as initfs.cpio and loaded at 0x2000000
  --firmware DIR       GPU firmware: bootcode.bin, start.elf, fixup.dat (required in DIR),
                       LICENCE.broadcom (copied when present)
  --config FILE        config.txt used verbatim instead of the rendered default
  --version V          release version, [A-Za-z0-9._+-] (default: this tool's version)
  --git-revision R     git revision written to VERSION (default: unknown)
  --size-mib N         image size in MiB, a power of two (default 256)
  --boot-mib N         FAT32 boot partition size in MiB, at least 33 (default 64)
  --out FILE           output image path
  --out-dir DIR        output directory; the image is named pipyos-<version>-rpi1.img
  --data DIR           pre-fill the data partition (FAT32 `PIPYDATA`, the rest of the
                       disk, mounted at /data on the board) with DIR's files

SOURCE_DATE_EPOCH (environment) sets every timestamp (default 315532800 = 1980-01-01).
build prints the image path on stdout and a summary on stderr.";

/// Why the program stops early.
enum Failure {
    /// Help was asked for: print the usage text, exit code 0.
    Help,
    /// The command line is wrong: exit code 2 with the usage text.
    Usage(String),
    /// The work failed: exit code 1.
    Failed(Error),
}

impl From<lexopt::Error> for Failure {
    fn from(error: lexopt::Error) -> Self {
        Failure::Usage(error.to_string())
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Failed(error)
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Help) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Err(Failure::Usage(message)) => {
            eprintln!("{PROGRAM}: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Failed(error)) => {
            eprintln!("{PROGRAM}: error: {error}");
            ExitCode::from(1)
        }
    }
}

/// Dispatches on the subcommand.
fn run() -> Result<(), Failure> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_env();
    match parser.next()? {
        Some(Value(command)) => match command.to_str() {
            Some("build") => build(&mut parser),
            Some("extract") => extract(&mut parser),
            Some("list") => list(&mut parser),
            _ => Err(Failure::Usage(format!(
                "unknown command {}",
                command.to_string_lossy()
            ))),
        },
        Some(Long("help")) | Some(Short('h')) => Err(Failure::Help),
        Some(Long("version")) => {
            println!("{PROGRAM} {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        Some(other) => Err(other.unexpected().into()),
        None => Err(Failure::Usage("missing command".into())),
    }
}

/// Parses a MiB count into bytes.
fn parse_mib(parser: &mut lexopt::Parser, option: &str) -> Result<u64, Failure> {
    let value = parser.value()?;
    let text = value.to_string_lossy();
    text.parse::<u64>()
        .ok()
        .and_then(|mib| mib.checked_mul(MIB))
        .ok_or_else(|| {
            Failure::Usage(format!(
                "{option} wants a whole number of MiB, not {text:?}"
            ))
        })
}

/// Reads an option value that must be UTF-8 text.
fn text_value(parser: &mut lexopt::Parser) -> Result<String, Failure> {
    Ok(parser.value()?.string()?)
}

/// The `SOURCE_DATE_EPOCH` from the environment, or the default when unset or empty.
fn source_date_epoch() -> Result<u64, Error> {
    match std::env::var_os("SOURCE_DATE_EPOCH") {
        None => Ok(DEFAULT_SOURCE_DATE_EPOCH),
        Some(value) if value.is_empty() => Ok(DEFAULT_SOURCE_DATE_EPOCH),
        Some(value) => match value.to_str() {
            Some(text) => parse_source_date_epoch(text),
            None => Err(Error::BadSourceDateEpoch {
                value: value.to_string_lossy().into_owned(),
                reason: "it is not valid text",
            }),
        },
    }
}

/// `build`: composes an image from the given inputs.
fn build(parser: &mut lexopt::Parser) -> Result<(), Failure> {
    use lexopt::prelude::*;
    let mut kernel: Option<PathBuf> = None;
    let mut initfs: Option<PathBuf> = None;
    let mut firmware: Option<PathBuf> = None;
    let mut config: Option<PathBuf> = None;
    let mut version = env!("CARGO_PKG_VERSION").to_string();
    let mut git_revision: Option<String> = None;
    let mut image_size = DEFAULT_IMAGE_SIZE;
    let mut boot_partition_size = DEFAULT_BOOT_PARTITION_SIZE;
    let mut out: Option<PathBuf> = None;
    let mut out_dir: Option<PathBuf> = None;
    let mut data: Option<PathBuf> = None;
    while let Some(argument) = parser.next()? {
        match argument {
            Long("kernel") => kernel = Some(parser.value()?.into()),
            Long("initfs") => initfs = Some(parser.value()?.into()),
            Long("firmware") => firmware = Some(parser.value()?.into()),
            Long("config") => config = Some(parser.value()?.into()),
            Long("version") => version = text_value(parser)?,
            Long("git-revision") => git_revision = Some(text_value(parser)?),
            Long("size-mib") => image_size = parse_mib(parser, "--size-mib")?,
            Long("boot-mib") => boot_partition_size = parse_mib(parser, "--boot-mib")?,
            Long("out") => out = Some(parser.value()?.into()),
            Long("out-dir") => out_dir = Some(parser.value()?.into()),
            Long("data") => data = Some(parser.value()?.into()),
            Long("help") | Short('h') => return Err(Failure::Help),
            other => return Err(other.unexpected().into()),
        }
    }
    let kernel = kernel.ok_or_else(|| Failure::Usage("build needs --kernel FILE".into()))?;
    let output = match (out, out_dir) {
        (Some(path), None) => path,
        (None, Some(dir)) => {
            images::validate_version(&version)?;
            fs::create_dir_all(&dir).map_err(|source| Error::Io {
                context: format!("creating {}", dir.display()),
                source,
            })?;
            dir.join(image_file_name(&version))
        }
        (None, None) => {
            return Err(Failure::Usage(
                "build needs --out FILE or --out-dir DIR".into(),
            ))
        }
        (Some(_), Some(_)) => {
            return Err(Failure::Usage(
                "give either --out or --out-dir, not both".into(),
            ))
        }
    };

    let mut spec = ImageSpec::new(read_input_file(&kernel, "kernel file")?, version);
    spec.initfs = initfs
        .map(|path| read_input_file(&path, "initfs file"))
        .transpose()?;
    spec.config_txt = config.map(|path| read_config(&path)).transpose()?;
    spec.git_revision = git_revision;
    spec.source_date_epoch = source_date_epoch()?;
    spec.image_size = image_size;
    spec.boot_partition_size = boot_partition_size;
    if let Some(directory) = &data {
        spec.data_files = read_data_directory(directory)?;
    }
    match &firmware {
        Some(dir) => spec.firmware = load_firmware_dir(dir)?,
        None => eprintln!("{PROGRAM}: warning: {NO_FIRMWARE_WARNING}"),
    }

    write_image_file(&spec, &output)?;
    println!("{}", output.display());
    print_summary(&spec, &output)?;
    Ok(())
}

/// Every file under `directory`, as (relative path with `/`, contents), for the data partition.
fn read_data_directory(directory: &Path) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let mut files = Vec::new();
    let mut pending = vec![directory.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries = fs::read_dir(&current).map_err(|source| Error::Io {
            context: format!("reading {}", current.display()),
            source,
        })?;
        for entry in entries {
            let path = entry
                .map_err(|source| Error::Io {
                    context: format!("reading {}", current.display()),
                    source,
                })?
                .path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path
                    .strip_prefix(directory)
                    .unwrap_or(&path)
                    .components()
                    .map(|part| part.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                files.push((relative, read_input_file(&path, "data file")?));
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Reads a config.txt that must be UTF-8 text.
fn read_config(path: &Path) -> Result<String, Error> {
    let bytes = read_input_file(path, "config file")?;
    String::from_utf8(bytes).map_err(|_| Error::ReadInput {
        what: "config file",
        path: path.to_path_buf(),
        source: io::Error::new(io::ErrorKind::InvalidData, "it is not UTF-8 text"),
    })
}

/// Prints the layout and the files of the written image (read back from it) on stderr.
fn print_summary(spec: &ImageSpec, output: &Path) -> Result<(), Error> {
    let files = list_boot_files(open_image(output)?)?;
    eprintln!(
        "{PROGRAM}: {} MiB image, {} MiB FAT32 boot partition at 4 MiB, SOURCE_DATE_EPOCH={}",
        spec.image_size / MIB,
        spec.boot_partition_size / MIB,
        spec.source_date_epoch
    );
    for (name, size) in files {
        eprintln!("  {size:>12}  {name}");
    }
    Ok(())
}

/// Opens an image file for reading.
fn open_image(path: &Path) -> Result<BufReader<File>, Error> {
    File::open(path)
        .map(BufReader::new)
        .map_err(|source| match source.kind() {
            io::ErrorKind::NotFound => Error::MissingInput {
                what: "image file",
                path: path.to_path_buf(),
            },
            _ => Error::ReadInput {
                what: "image file",
                path: path.to_path_buf(),
                source,
            },
        })
}

/// Takes the next positional argument, naming it in the error when missing.
fn positional(parser: &mut lexopt::Parser, what: &str) -> Result<OsString, Failure> {
    use lexopt::prelude::*;
    match parser.next()? {
        Some(Value(value)) => Ok(value),
        Some(Long("help")) | Some(Short('h')) => Err(Failure::Help),
        Some(other) => Err(other.unexpected().into()),
        None => Err(Failure::Usage(format!("missing {what}"))),
    }
}

/// Rejects arguments after the expected ones.
fn no_more_arguments(parser: &mut lexopt::Parser) -> Result<(), Failure> {
    match parser.next()? {
        Some(argument) => Err(argument.unexpected().into()),
        None => Ok(()),
    }
}

/// `extract IMAGE NAME OUT_FILE`: copies one file out of the boot partition.
fn extract(parser: &mut lexopt::Parser) -> Result<(), Failure> {
    let image = PathBuf::from(positional(parser, "IMAGE")?);
    let name = positional(parser, "NAME")?
        .into_string()
        .map_err(|_| Failure::Usage("NAME must be valid text".into()))?;
    let out_file = PathBuf::from(positional(parser, "OUT_FILE")?);
    no_more_arguments(parser)?;
    let contents = read_boot_file(open_image(&image)?, &name)?;
    let result = if out_file.as_os_str() == "-" {
        io::stdout().lock().write_all(&contents)
    } else {
        fs::write(&out_file, &contents)
    };
    result.map_err(|source| Error::Io {
        context: format!("writing {}", out_file.display()),
        source,
    })?;
    Ok(())
}

/// `list IMAGE`: shows partition 1 and the files of the boot partition.
fn list(parser: &mut lexopt::Parser) -> Result<(), Failure> {
    let image = PathBuf::from(positional(parser, "IMAGE")?);
    no_more_arguments(parser)?;
    let partition = read_partition_table(open_image(&image)?)?;
    let files = list_boot_files(open_image(&image)?)?;
    println!(
        "partition 1: type {:#04x}{}, start sector {}, {} sectors ({} bytes), disk signature {:#010x}",
        partition.partition_type,
        if partition.bootable { ", bootable" } else { "" },
        partition.start_sector,
        partition.sector_count,
        partition.size(),
        partition.disk_signature
    );
    for (name, size) in files {
        println!("{size:>12}  {name}");
    }
    Ok(())
}
