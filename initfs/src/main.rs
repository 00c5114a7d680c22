//! `pipyos-initfs`: packs, lists, verifies and extracts PiPyOS initfs archives.
#![forbid(unsafe_code)]

use std::ffi::OsString;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use initfs::{Archive, EntryKind, Error, Packer, DEFAULT_MTIME};
use lexopt::prelude::*;

/// Help text printed by `--help` and after usage errors.
const USAGE: &str = "\
usage: pipyos-initfs pack --out FILE [--mtime N] [--file DEST=SRC_FILE]... [DEST=SRC_DIR]...
       pipyos-initfs list FILE
       pipyos-initfs verify FILE
       pipyos-initfs extract FILE DIR

commands:
  pack     write a deterministic archive. Each DEST=SRC_DIR copies the tree SRC_DIR to
           DEST inside the archive (DEST '' or '/' is the root), skipping __pycache__
           and *.pyc; each --file DEST=SRC_FILE adds one file. The modification time of
           every entry is --mtime N, else $SOURCE_DATE_EPOCH, else 0.
           Example: pack --out initfs.cpio lib/python=/path/to/Lib app=./myapp
  list     print kind, size and path of every entry
  verify   parse the archive and check every file checksum
  extract  write the archive's directories and files below DIR";

/// Why the tool stops.
enum Failure {
    /// Bad command line: the message is followed by the usage text, exit status 2.
    Usage(String),
    /// Anything else, exit status 1.
    Message(String),
}

impl From<lexopt::Error> for Failure {
    fn from(error: lexopt::Error) -> Self {
        Self::Usage(error.to_string())
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Self::Message(error.to_string())
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("pipyos-initfs: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Message(message)) => {
            eprintln!("pipyos-initfs: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Dispatches on the command word.
fn run() -> Result<(), Failure> {
    let mut parser = lexopt::Parser::from_env();
    match parser.next()? {
        Some(Value(command)) => match command.to_str() {
            Some("pack") => pack(parser),
            Some("list") => list(parser),
            Some("verify") => verify(parser),
            Some("extract") => extract(parser),
            _ => Err(Failure::Usage(format!(
                "unknown command {:?}",
                command.to_string_lossy()
            ))),
        },
        Some(Short('h') | Long("help")) => {
            println!("{USAGE}");
            Ok(())
        }
        Some(Short('V') | Long("version")) => {
            println!("pipyos-initfs {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        Some(argument) => Err(argument.unexpected().into()),
        None => Err(Failure::Usage("missing command".into())),
    }
}

/// Splits `DEST=SRC` at the first `=`.
fn split_mapping(argument: OsString) -> Result<(String, PathBuf), Failure> {
    let text = argument
        .into_string()
        .map_err(|argument| Failure::Usage(format!("{argument:?} is not valid UTF-8")))?;
    match text.split_once('=') {
        Some((destination, source)) if !source.is_empty() => {
            Ok((destination.to_string(), PathBuf::from(source)))
        }
        _ => Err(Failure::Usage(format!(
            "expected DEST=SRC, got {text:?} (use =SRC or /=SRC for the archive root)"
        ))),
    }
}

/// Parses a modification time in whole seconds that fits the 32-bit mtime field.
fn parse_mtime(text: &str, origin: &str) -> Result<u32, Failure> {
    text.parse::<u32>().map_err(|_| {
        Failure::Message(format!(
            "{origin}={text:?} is not a whole number of seconds from 0 to {}",
            u32::MAX
        ))
    })
}

/// The mtime from `SOURCE_DATE_EPOCH` (unset or empty: [`DEFAULT_MTIME`]).
fn mtime_from_environment() -> Result<u32, Failure> {
    match std::env::var_os("SOURCE_DATE_EPOCH") {
        None => Ok(DEFAULT_MTIME),
        Some(value) if value.is_empty() => Ok(DEFAULT_MTIME),
        Some(value) => match value.to_str() {
            Some(text) => parse_mtime(text, "SOURCE_DATE_EPOCH"),
            None => Err(Failure::Message(
                "SOURCE_DATE_EPOCH is not valid UTF-8".into(),
            )),
        },
    }
}

/// Wraps an I/O error with the host path it concerns.
fn io_error(path: &Path) -> impl FnOnce(io::Error) -> Failure + '_ {
    move |source| {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
        .into()
    }
}

/// `pack --out FILE [--mtime N] [--file DEST=SRC_FILE]... [DEST=SRC_DIR]...`
fn pack(mut parser: lexopt::Parser) -> Result<(), Failure> {
    let mut output = None;
    let mut mtime = None;
    let mut trees = Vec::new();
    let mut files = Vec::new();
    while let Some(argument) = parser.next()? {
        match argument {
            Short('o') | Long("out") => output = Some(PathBuf::from(parser.value()?)),
            Long("mtime") => mtime = Some(parse_mtime(&parser.value()?.string()?, "--mtime")?),
            Long("file") => files.push(split_mapping(parser.value()?)?),
            Value(value) => trees.push(split_mapping(value)?),
            _ => return Err(argument.unexpected().into()),
        }
    }
    let output = output.ok_or_else(|| Failure::Usage("pack needs --out FILE".into()))?;
    if trees.is_empty() && files.is_empty() {
        return Err(Failure::Usage(
            "nothing to pack: give DEST=SRC_DIR or --file DEST=SRC_FILE".into(),
        ));
    }
    let mtime = match mtime {
        Some(mtime) => mtime,
        None => mtime_from_environment()?,
    };

    let mut packer = Packer::new();
    packer.mtime(mtime);
    for (destination, source) in &trees {
        packer.add_tree(destination, source)?;
    }
    for (destination, source) in files {
        let data = fs::read(&source).map_err(io_error(&source))?;
        packer.add_file(&destination, data, 0o644)?;
    }
    let bytes = packer.finish()?;
    fs::write(&output, &bytes).map_err(io_error(&output))?;
    println!(
        "pipyos-initfs: wrote {} ({} entries, {} bytes)",
        output.display(),
        packer.entry_count(),
        bytes.len()
    );
    Ok(())
}

/// Reads the next positional argument, failing with "missing NAME".
fn positional(parser: &mut lexopt::Parser, name: &str) -> Result<PathBuf, Failure> {
    match parser.next()? {
        Some(Value(value)) => Ok(PathBuf::from(value)),
        Some(argument) => Err(argument.unexpected().into()),
        None => Err(Failure::Usage(format!("missing {name}"))),
    }
}

/// Fails if arguments are left over.
fn no_more_arguments(parser: &mut lexopt::Parser) -> Result<(), Failure> {
    match parser.next()? {
        Some(argument) => Err(argument.unexpected().into()),
        None => Ok(()),
    }
}

/// Reads a whole archive file.
fn read_archive_file(path: &Path) -> Result<Vec<u8>, Failure> {
    fs::read(path).map_err(io_error(path))
}

/// `list FILE`
fn list(mut parser: lexopt::Parser) -> Result<(), Failure> {
    let path = positional(&mut parser, "FILE")?;
    no_more_arguments(&mut parser)?;
    let bytes = read_archive_file(&path)?;
    let archive = Archive::parse(&bytes)?;
    let mut stdout = io::BufWriter::new(io::stdout().lock());
    let written = archive.entries().try_for_each(|entry| {
        let kind = match entry.kind() {
            EntryKind::File => "file",
            EntryKind::Directory => "dir",
        };
        writeln!(stdout, "{kind:<4} {:>10}  {}", entry.size(), entry.path())
    });
    match written.and_then(|()| stdout.flush()) {
        // A closed pipe (`| head`) is not an error worth reporting.
        Err(error) if error.kind() != io::ErrorKind::BrokenPipe => {
            Err(io_error(Path::new("<stdout>"))(error))
        }
        _ => Ok(()),
    }
}

/// `verify FILE`
fn verify(mut parser: lexopt::Parser) -> Result<(), Failure> {
    let path = positional(&mut parser, "FILE")?;
    no_more_arguments(&mut parser)?;
    let bytes = read_archive_file(&path)?;
    let archive = Archive::parse(&bytes)?;
    archive.verify()?;
    println!(
        "pipyos-initfs: {} is valid ({} entries, {} bytes)",
        path.display(),
        archive.entry_count(),
        archive.len_bytes()
    );
    Ok(())
}

/// `extract FILE DIR`
fn extract(mut parser: lexopt::Parser) -> Result<(), Failure> {
    let path = positional(&mut parser, "FILE")?;
    let directory = positional(&mut parser, "DIR")?;
    no_more_arguments(&mut parser)?;
    let bytes = read_archive_file(&path)?;
    let archive = Archive::parse(&bytes)?;
    archive.verify()?;
    fs::create_dir_all(&directory).map_err(io_error(&directory))?;
    // Parents come first and stored paths have no `..`, so everything stays below DIR.
    for entry in archive.entries() {
        let target = directory.join(entry.path());
        match entry.kind() {
            EntryKind::Directory => fs::create_dir_all(&target).map_err(io_error(&target))?,
            EntryKind::File => fs::write(&target, entry.data()).map_err(io_error(&target))?,
        }
    }
    println!(
        "pipyos-initfs: extracted {} entries to {}",
        archive.entry_count(),
        directory.display()
    );
    Ok(())
}
