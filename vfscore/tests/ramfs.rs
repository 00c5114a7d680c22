//! Tests of `RamFs`: open modes, space accounting, renames, removal of open files, big trees.
use std::cell::Cell;

use vfscore::{
    Error, FileKind, FileSystem, OpenFile, OpenOptions, RamFs, SeekFrom, O_CREAT, O_DIRECTORY,
    O_RDONLY, O_TRUNC, RAMFS_BLOCK_SIZE, RAMFS_NODE_COST, RAMFS_ROOT_INODE,
};

thread_local! {
    static NOW: Cell<i64> = const { Cell::new(1_000) };
}

fn clock() -> i64 {
    NOW.with(Cell::get)
}

fn set_now(now: i64) {
    NOW.with(|cell| cell.set(now));
}

fn big() -> RamFs {
    RamFs::new(1 << 30, clock)
}

fn mode(mode: &str) -> OpenOptions {
    OpenOptions::from_mode(mode).unwrap()
}

fn flags(flags: i32) -> OpenOptions {
    OpenOptions::from_flags(flags).unwrap()
}

fn open(fs: &RamFs, path: &str, how: &str) -> Box<dyn OpenFile> {
    fs.open(path, &mode(how))
        .unwrap_or_else(|error| panic!("open {path} {how}: {error:?}"))
}

fn write_file(fs: &RamFs, path: &str, data: &[u8]) {
    let mut file = open(fs, path, "w");
    assert_eq!(file.write(data), Ok(data.len()));
    file.close().unwrap();
}

fn read_all(file: &mut dyn OpenFile) -> Vec<u8> {
    let mut contents = Vec::new();
    let mut buffer = [0u8; 7];
    loop {
        match file.read(&mut buffer).unwrap() {
            0 => return contents,
            count => contents.extend_from_slice(&buffer[..count]),
        }
    }
}

fn read_file(fs: &RamFs, path: &str) -> Vec<u8> {
    let mut file = open(fs, path, "r");
    read_all(file.as_mut())
}

/// What a node named `name` with `content` bytes costs.
fn cost(name: &str, content: usize) -> u64 {
    RAMFS_NODE_COST + name.len() as u64 + content as u64
}

fn error_of<T>(result: Result<T, Error>) -> Error {
    match result {
        Ok(_) => panic!("expected an error"),
        Err(error) => error,
    }
}

#[test]
fn empty_file_system() {
    let fs = big();
    assert_eq!(fs.used(), 0);
    assert_eq!(fs.node_count(), 1);
    assert_eq!(fs.name(), "ramfs");
    assert!(!fs.is_read_only());
    let root = fs.metadata("/").unwrap();
    assert_eq!(root.kind, FileKind::Directory);
    assert_eq!(root.inode, RAMFS_ROOT_INODE);
    assert_eq!(root.mode, 0o755);
    assert_eq!(root.st_mode(), 0o040_755);
    assert!(fs.read_dir("/").unwrap().is_empty());
    assert_eq!(fs.sync(), Ok(()));
}

#[test]
fn read_mode() {
    let fs = big();
    assert_eq!(error_of(fs.open("/missing", &mode("r"))), Error::NotFound);
    write_file(&fs, "/f", b"hello");
    let mut file = open(&fs, "/f", "r");
    assert_eq!(file.write(b"x"), Err(Error::BadDescriptor));
    assert_eq!(file.truncate(0), Err(Error::InvalidArgument));
    assert_eq!(read_all(file.as_mut()), b"hello");
    assert_eq!(file.read(&mut [0; 4]), Ok(0));
    assert_eq!(file.flush(), Ok(()));
    assert_eq!(file.close(), Ok(()));
}

#[test]
fn write_mode_creates_and_truncates() {
    let fs = big();
    let mut file = open(&fs, "/f", "w");
    assert_eq!(file.read(&mut [0; 4]), Err(Error::BadDescriptor));
    assert_eq!(file.write(b"first version"), Ok(13));
    drop(file);
    assert_eq!(fs.metadata("/f").unwrap().size, 13);
    let mut file = open(&fs, "/f", "w");
    assert_eq!(fs.metadata("/f").unwrap().size, 0);
    assert_eq!(file.write(b"second"), Ok(6));
    drop(file);
    assert_eq!(read_file(&fs, "/f"), b"second");
    assert_eq!(fs.used(), cost("f", 6));
}

#[test]
fn append_mode_always_writes_at_the_end() {
    let fs = big();
    write_file(&fs, "/log", b"one ");
    let mut file = open(&fs, "/log", "a+");
    assert_eq!(file.seek(SeekFrom::Start(0)), Ok(0));
    assert_eq!(file.write(b"two "), Ok(4));
    assert_eq!(file.seek(SeekFrom::Current(0)), Ok(8));
    assert_eq!(file.seek(SeekFrom::Start(1)), Ok(1));
    let mut buffer = [0u8; 3];
    assert_eq!(file.read(&mut buffer), Ok(3));
    assert_eq!(&buffer, b"ne ");
    assert_eq!(file.write(b"three"), Ok(5));
    drop(file);
    assert_eq!(read_file(&fs, "/log"), b"one two three");
    // "a" creates a missing file and cannot read.
    let mut file = open(&fs, "/new", "a");
    assert_eq!(file.read(&mut buffer), Err(Error::BadDescriptor));
    assert_eq!(file.write(b"x"), Ok(1));
}

#[test]
fn append_from_another_handle_is_seen() {
    let fs = big();
    let mut writer = open(&fs, "/f", "w");
    let mut appender = open(&fs, "/f", "a");
    assert_eq!(writer.write(b"0123456789"), Ok(10));
    assert_eq!(appender.write(b"AB"), Ok(2));
    assert_eq!(writer.write(b"xy"), Ok(2));
    drop((writer, appender));
    assert_eq!(read_file(&fs, "/f"), b"0123456789xy");
}

#[test]
fn exclusive_create() {
    let fs = big();
    let mut file = open(&fs, "/f", "x");
    assert_eq!(file.write(b"data"), Ok(4));
    drop(file);
    assert_eq!(error_of(fs.open("/f", &mode("x"))), Error::AlreadyExists);
    fs.create_dir("/d").unwrap();
    assert_eq!(error_of(fs.open("/d", &mode("x"))), Error::AlreadyExists);
    assert_eq!(read_file(&fs, "/f"), b"data");
}

#[test]
fn read_write_modes() {
    let fs = big();
    assert_eq!(error_of(fs.open("/f", &mode("r+"))), Error::NotFound);
    write_file(&fs, "/f", b"abcdef");
    let mut file = open(&fs, "/f", "r+");
    assert_eq!(file.write(b"XY"), Ok(2));
    let mut buffer = [0u8; 2];
    assert_eq!(file.read(&mut buffer), Ok(2));
    assert_eq!(&buffer, b"cd");
    drop(file);
    assert_eq!(read_file(&fs, "/f"), b"XYcdef");
    let mut file = open(&fs, "/f", "w+");
    assert_eq!(file.metadata().unwrap().size, 0);
    assert_eq!(file.write(b"new"), Ok(3));
    assert_eq!(file.seek(SeekFrom::Start(0)), Ok(0));
    assert_eq!(read_all(file.as_mut()), b"new");
}

#[test]
fn posix_flag_corners() {
    let fs = big();
    // O_RDONLY | O_CREAT creates the file.
    let file = fs.open("/created", &flags(O_RDONLY | O_CREAT)).unwrap();
    drop(file);
    assert_eq!(fs.metadata("/created").unwrap().kind, FileKind::File);
    // O_RDONLY | O_TRUNC truncates, as Linux does.
    write_file(&fs, "/t", b"content");
    drop(fs.open("/t", &flags(O_RDONLY | O_TRUNC)).unwrap());
    assert_eq!(fs.metadata("/t").unwrap().size, 0);
    // No access mode at all.
    assert_eq!(
        error_of(fs.open("/t", &OpenOptions::default())),
        Error::InvalidArgument
    );
    // O_DIRECTORY on a file, and with O_CREAT on a missing path.
    assert_eq!(
        error_of(fs.open("/t", &flags(O_RDONLY | O_DIRECTORY))),
        Error::NotADirectory
    );
    assert_eq!(
        error_of(fs.open("/none", &flags(O_RDONLY | O_DIRECTORY | O_CREAT))),
        Error::InvalidArgument
    );
    assert_eq!(fs.metadata("/none"), Err(Error::NotFound));
}

#[test]
fn directories_are_not_opened_as_files() {
    let fs = big();
    fs.create_dir("/d").unwrap();
    for how in ["r", "w", "a", "r+", "w+"] {
        assert_eq!(
            error_of(fs.open("/d", &mode(how))),
            Error::IsADirectory,
            "{how}"
        );
        assert_eq!(
            error_of(fs.open("/", &mode(how))),
            Error::IsADirectory,
            "{how}"
        );
    }
    assert_eq!(
        error_of(fs.open("/d", &flags(O_RDONLY | O_DIRECTORY))),
        Error::IsADirectory
    );
}

#[test]
fn bad_paths() {
    let fs = big();
    write_file(&fs, "/file", b"");
    assert_eq!(error_of(fs.open("/no/f", &mode("w"))), Error::NotFound);
    assert_eq!(
        error_of(fs.open("/file/f", &mode("w"))),
        Error::NotADirectory
    );
    assert_eq!(
        error_of(fs.open("/file/f", &mode("r"))),
        Error::NotADirectory
    );
    for path in ["", "f", "/a/", "/a//b", "/./a", "/a/.."] {
        assert_eq!(
            error_of(fs.open(path, &mode("w"))),
            Error::InvalidArgument,
            "{path:?}"
        );
        assert_eq!(fs.metadata(path), Err(Error::InvalidArgument), "{path:?}");
        assert_eq!(fs.create_dir(path), Err(Error::InvalidArgument), "{path:?}");
    }
    let long = format!("/{}", "n".repeat(256));
    assert_eq!(error_of(fs.open(&long, &mode("w"))), Error::NameTooLong);
    assert_eq!(fs.create_dir(&long), Err(Error::NameTooLong));
    assert_eq!(fs.used(), cost("file", 0));
}

#[test]
fn seek_semantics() {
    let fs = big();
    let mut file = open(&fs, "/f", "w+");
    assert_eq!(file.write(b"abc"), Ok(3));
    assert_eq!(file.seek(SeekFrom::End(-1)), Ok(2));
    assert_eq!(file.seek(SeekFrom::Current(-2)), Ok(0));
    assert_eq!(
        file.seek(SeekFrom::Current(-1)),
        Err(Error::InvalidArgument)
    );
    assert_eq!(file.seek(SeekFrom::End(-4)), Err(Error::InvalidArgument));
    // A failed seek leaves the position alone.
    assert_eq!(file.seek(SeekFrom::Current(0)), Ok(0));
    // Seeking past the end is fine; reading there gives end of file.
    assert_eq!(file.seek(SeekFrom::End(5)), Ok(8));
    assert_eq!(file.read(&mut [0; 4]), Ok(0));
    assert_eq!(file.metadata().unwrap().size, 3);
    // Writing there fills the gap with zeros.
    assert_eq!(file.write(b"Z"), Ok(1));
    assert_eq!(file.metadata().unwrap().size, 9);
    assert_eq!(file.seek(SeekFrom::Start(0)), Ok(0));
    assert_eq!(read_all(file.as_mut()), b"abc\0\0\0\0\0Z");
    assert_eq!(fs.used(), cost("f", 9));
}

#[test]
fn truncate_and_extend() {
    let fs = big();
    let mut file = open(&fs, "/f", "w+");
    assert_eq!(file.write(b"0123456789"), Ok(10));
    assert_eq!(file.truncate(4), Ok(()));
    assert_eq!(file.seek(SeekFrom::Current(0)), Ok(10));
    assert_eq!(fs.used(), cost("f", 4));
    assert_eq!(file.truncate(8), Ok(()));
    assert_eq!(fs.used(), cost("f", 8));
    assert_eq!(file.seek(SeekFrom::Start(0)), Ok(0));
    assert_eq!(read_all(file.as_mut()), b"0123\0\0\0\0");
    assert_eq!(file.truncate(0), Ok(()));
    assert_eq!(file.metadata().unwrap().size, 0);
    assert_eq!(file.truncate(u64::MAX), Err(Error::InvalidArgument));
    assert_eq!(file.truncate(1 << 40), Err(Error::NoSpace));
    assert_eq!(fs.used(), cost("f", 0));
}

#[test]
fn fill_to_no_space_and_recover() {
    let limit = cost("a", 100);
    let fs = RamFs::new(limit, clock);
    let mut file = open(&fs, "/a", "w");
    // A partial write writes what fits and says how much.
    let data = [7u8; 150];
    let fits = 100;
    assert_eq!(file.write(&data), Ok(fits));
    assert_eq!(fs.used(), limit);
    // Nothing more fits: an error, not Ok(0); an empty write is still Ok(0).
    assert_eq!(file.write(b"x"), Err(Error::NoSpace));
    assert_eq!(file.write(b""), Ok(0));
    assert_eq!(file.truncate(fits as u64 + 1), Err(Error::NoSpace));
    // Overwriting in place needs no space.
    assert_eq!(file.seek(SeekFrom::Start(0)), Ok(0));
    assert_eq!(file.write(b"abc"), Ok(3));
    // A write that straddles the end writes the in-place part only.
    assert_eq!(file.seek(SeekFrom::End(-2)), Ok(fits as u64 - 2));
    assert_eq!(file.write(b"wxyz"), Ok(2));
    // A gap that does not fit writes nothing.
    assert_eq!(file.seek(SeekFrom::End(1)), Ok(fits as u64 + 1));
    assert_eq!(file.write(b"q"), Err(Error::NoSpace));
    assert_eq!(file.metadata().unwrap().size, fits as u64);
    drop(file);
    assert_eq!(error_of(fs.open("/b", &mode("w"))), Error::NoSpace);
    assert_eq!(fs.create_dir("/d"), Err(Error::NoSpace));
    assert_eq!(fs.metadata("/b"), Err(Error::NotFound));
    let statvfs = fs.statvfs().unwrap();
    assert_eq!(statvfs.blocks_free, 0);
    assert_eq!(statvfs.files_free, 0);
    // Delete and everything is back.
    fs.remove_file("/a").unwrap();
    assert_eq!(fs.used(), 0);
    assert_eq!(fs.node_count(), 1);
    write_file(&fs, "/b", b"fits again");
}

#[test]
fn many_empty_files_run_out() {
    let fs = RamFs::new(10 * cost("f0", 0), clock);
    for index in 0..10 {
        drop(open(&fs, &format!("/f{index}"), "w"));
    }
    assert_eq!(fs.used(), fs.limit());
    assert_eq!(error_of(fs.open("/fa", &mode("w"))), Error::NoSpace);
    assert_eq!(fs.create_dir("/da"), Err(Error::NoSpace));
    assert_eq!(fs.read_dir("/").unwrap().len(), 10);
    fs.remove_file("/f3").unwrap();
    fs.create_dir("/d3").unwrap();
    assert_eq!(fs.used(), fs.limit());
}

#[test]
fn usage_returns_exactly_after_delete() {
    let fs = big();
    fs.create_dir("/keep").unwrap();
    write_file(&fs, "/keep/file", b"persistent");
    let baseline = fs.used();
    let nodes = fs.node_count();
    fs.create_dir("/tmp").unwrap();
    fs.create_dir("/tmp/sub").unwrap();
    write_file(&fs, "/tmp/sub/a", &[1; 1000]);
    write_file(&fs, "/tmp/b", &[2; 3000]);
    let mut file = open(&fs, "/tmp/b", "r+");
    file.seek(SeekFrom::Start(5000)).unwrap();
    file.write(b"tail").unwrap();
    file.truncate(100).unwrap();
    drop(file);
    fs.rename("/tmp/b", "/tmp/sub/a-much-longer-name").unwrap();
    fs.rename("/tmp/sub/a", "/tmp/sub/a-much-longer-name")
        .unwrap();
    assert!(fs.used() > baseline);
    fs.remove_file("/tmp/sub/a-much-longer-name").unwrap();
    fs.remove_dir("/tmp/sub").unwrap();
    fs.remove_dir("/tmp").unwrap();
    assert_eq!(fs.used(), baseline);
    assert_eq!(fs.node_count(), nodes);
    assert_eq!(read_file(&fs, "/keep/file"), b"persistent");
}

#[test]
fn rename_over_an_existing_file() {
    let fs = big();
    write_file(&fs, "/old", b"old contents that are long");
    write_file(&fs, "/new", b"new");
    let target_inode = fs.metadata("/old").unwrap().inode;
    let source_inode = fs.metadata("/new").unwrap().inode;
    fs.rename("/new", "/old").unwrap();
    assert_eq!(fs.metadata("/new"), Err(Error::NotFound));
    assert_eq!(read_file(&fs, "/old"), b"new");
    assert_eq!(fs.metadata("/old").unwrap().inode, source_inode);
    assert_ne!(source_inode, target_inode);
    assert_eq!(fs.used(), cost("old", 3));
    assert_eq!(fs.node_count(), 2);
}

#[test]
fn rename_over_an_open_file_keeps_its_data_for_the_handle() {
    let fs = big();
    write_file(&fs, "/target", b"replaced");
    write_file(&fs, "/source", b"winner");
    let mut held = open(&fs, "/target", "r");
    fs.rename("/source", "/target").unwrap();
    assert_eq!(read_file(&fs, "/target"), b"winner");
    assert_eq!(read_all(held.as_mut()), b"replaced");
    assert_eq!(fs.used(), cost("target", 6) + cost("target", 8));
    held.close().unwrap();
    assert_eq!(fs.used(), cost("target", 6));
    assert_eq!(fs.node_count(), 2);
}

#[test]
fn rename_moves_between_directories() {
    let fs = big();
    fs.create_dir("/a").unwrap();
    fs.create_dir("/b").unwrap();
    write_file(&fs, "/a/f", b"moved");
    fs.rename("/a/f", "/b/g").unwrap();
    assert!(fs.read_dir("/a").unwrap().is_empty());
    assert_eq!(read_file(&fs, "/b/g"), b"moved");
    // Renaming to itself is a no-op.
    fs.rename("/b/g", "/b/g").unwrap();
    assert_eq!(read_file(&fs, "/b/g"), b"moved");
    assert_eq!(fs.rename("/a/missing", "/b/x"), Err(Error::NotFound));
    assert_eq!(fs.rename("/b/g", "/missing/x"), Err(Error::NotFound));
    assert_eq!(fs.rename("/b/g", "/b/g/x"), Err(Error::NotADirectory));
    assert_eq!(fs.rename("/", "/x"), Err(Error::Busy));
    assert_eq!(fs.rename("/a", "/"), Err(Error::Busy));
    assert_eq!(fs.rename("/a/", "/x"), Err(Error::InvalidArgument));
}

#[test]
fn rename_directories() {
    let fs = big();
    fs.create_dir("/src").unwrap();
    fs.create_dir("/src/inner").unwrap();
    write_file(&fs, "/src/inner/file", b"deep");
    fs.create_dir("/empty").unwrap();
    fs.create_dir("/full").unwrap();
    write_file(&fs, "/full/x", b"");
    write_file(&fs, "/plain", b"");

    assert_eq!(fs.rename("/src", "/full"), Err(Error::DirectoryNotEmpty));
    assert_eq!(fs.rename("/src", "/plain"), Err(Error::NotADirectory));
    assert_eq!(fs.rename("/plain", "/empty"), Err(Error::IsADirectory));
    assert_eq!(
        fs.rename("/src", "/src/inner/below"),
        Err(Error::InvalidArgument)
    );
    assert_eq!(fs.rename("/src", "/src/inner"), Err(Error::InvalidArgument));
    assert_eq!(
        fs.rename("/src/inner", "/src"),
        Err(Error::DirectoryNotEmpty)
    );

    let before = fs.used();
    fs.rename("/src", "/empty").unwrap();
    // The replaced directory is freed and the moved one now carries the name "empty".
    assert_eq!(fs.used(), before - cost("src", 0));
    assert_eq!(read_file(&fs, "/empty/inner/file"), b"deep");
    assert_eq!(fs.metadata("/src"), Err(Error::NotFound));
    // A directory moves with its whole subtree into another directory.
    fs.rename("/empty/inner", "/full/moved").unwrap();
    assert_eq!(read_file(&fs, "/full/moved/file"), b"deep");
    // A directory may go to a name that starts like it but is not below it.
    fs.rename("/full", "/fullness").unwrap();
    assert_eq!(
        fs.read_dir("/fullness")
            .unwrap()
            .into_iter()
            .map(|entry| entry.name)
            .collect::<Vec<_>>(),
        ["moved", "x"]
    );
}

#[test]
fn open_files_survive_rename() {
    let fs = big();
    fs.create_dir("/dir").unwrap();
    let mut file = open(&fs, "/dir/f", "w+");
    file.write(b"before ").unwrap();
    fs.rename("/dir/f", "/g").unwrap();
    fs.rename("/dir", "/dir2").unwrap();
    file.write(b"after").unwrap();
    assert_eq!(file.metadata().unwrap().size, 12);
    drop(file);
    assert_eq!(read_file(&fs, "/g"), b"before after");
}

#[test]
fn open_then_unlink() {
    let fs = big();
    write_file(&fs, "/keep", b"k");
    let baseline = fs.used();
    let nodes = fs.node_count();
    let mut file = open(&fs, "/tmp", "w+");
    file.write(b"scratch data").unwrap();
    let mut second = open(&fs, "/tmp", "r");
    fs.remove_file("/tmp").unwrap();
    assert_eq!(fs.metadata("/tmp"), Err(Error::NotFound));
    assert_eq!(fs.read_dir("/").unwrap().len(), 1);
    // The data lives on for the handles, and is still charged.
    assert_eq!(fs.used(), baseline + cost("tmp", 12));
    file.write(b" more").unwrap();
    assert_eq!(read_all(second.as_mut()), b"scratch data more");
    // A new file of the same name is a different file.
    write_file(&fs, "/tmp", b"other");
    assert_eq!(read_file(&fs, "/tmp"), b"other");
    fs.remove_file("/tmp").unwrap();
    assert_eq!(fs.used(), baseline + cost("tmp", 17));
    file.close().unwrap();
    assert_eq!(fs.used(), baseline + cost("tmp", 17));
    drop(second);
    assert_eq!(fs.used(), baseline);
    assert_eq!(fs.node_count(), nodes);
}

#[test]
fn deep_tree() {
    let fs = big();
    let mut path = String::new();
    for level in 0..200 {
        path.push_str(&format!("/{}", level % 10));
        fs.create_dir(&path).unwrap();
    }
    assert_eq!(path.len(), 400);
    let file = format!("{path}/leaf");
    write_file(&fs, &file, b"at the bottom");
    assert_eq!(read_file(&fs, &file), b"at the bottom");
    assert_eq!(fs.metadata(&path).unwrap().kind, FileKind::Directory);
    assert_eq!(fs.remove_dir("/0"), Err(Error::DirectoryNotEmpty));
    // Move the whole tree, then take it down from the bottom.
    fs.rename("/0", "/top").unwrap();
    let moved = format!("/top{}", &path[2..]);
    assert_eq!(read_file(&fs, &format!("{moved}/leaf")), b"at the bottom");
    fs.remove_file(&format!("{moved}/leaf")).unwrap();
    let mut current = moved;
    while current != "/" {
        fs.remove_dir(&current).unwrap();
        current = vfscore::path::split_parent(&current).unwrap().0.to_owned();
    }
    assert_eq!(fs.used(), 0);
    assert_eq!(fs.node_count(), 1);
}

#[test]
fn thousands_of_entries_in_one_directory() {
    let fs = big();
    fs.create_dir("/many").unwrap();
    for index in (0..2000).rev() {
        let name = format!("/many/entry-{index}");
        if index % 2 == 0 {
            write_file(&fs, &name, index.to_string().as_bytes());
        } else {
            fs.create_dir(&name).unwrap();
        }
    }
    let entries = fs.read_dir("/many").unwrap();
    assert_eq!(entries.len(), 2000);
    assert!(entries.windows(2).all(|pair| pair[0].name < pair[1].name));
    let mut expected: Vec<String> = (0..2000).map(|index| format!("entry-{index}")).collect();
    expected.sort();
    assert_eq!(
        entries
            .iter()
            .map(|entry| entry.name.clone())
            .collect::<Vec<_>>(),
        expected
    );
    assert_eq!(read_file(&fs, "/many/entry-1234"), b"1234");
    for entry in &entries {
        let path = format!("/many/{}", entry.name);
        match entry.kind {
            FileKind::File => fs.remove_file(&path).unwrap(),
            FileKind::Directory => fs.remove_dir(&path).unwrap(),
        }
    }
    fs.remove_dir("/many").unwrap();
    assert_eq!(fs.used(), 0);
    assert_eq!(fs.node_count(), 1);
}

#[test]
fn read_dir_is_sorted_and_consistent() {
    let fs = big();
    for name in ["b", "B", "a", "_", "10", "9", "é", "aa"] {
        write_file(&fs, &format!("/{name}"), b"");
    }
    fs.create_dir("/dir").unwrap();
    let entries = fs.read_dir("/").unwrap();
    let names: Vec<&str> = entries.iter().map(|entry| entry.name.as_str()).collect();
    assert_eq!(names, ["10", "9", "B", "_", "a", "aa", "b", "dir", "é"]);
    for entry in &entries {
        let metadata = fs.metadata(&format!("/{}", entry.name)).unwrap();
        assert_eq!(metadata.inode, entry.inode);
        assert_eq!(metadata.kind, entry.kind);
    }
    assert_eq!(fs.read_dir("/b"), Err(Error::NotADirectory));
    assert_eq!(fs.read_dir("/nope"), Err(Error::NotFound));
}

#[test]
fn create_and_remove_errors() {
    let fs = big();
    fs.create_dir("/d").unwrap();
    write_file(&fs, "/d/f", b"");
    assert_eq!(fs.create_dir("/"), Err(Error::AlreadyExists));
    assert_eq!(fs.create_dir("/d"), Err(Error::AlreadyExists));
    assert_eq!(fs.create_dir("/d/f"), Err(Error::AlreadyExists));
    assert_eq!(fs.create_dir("/x/y"), Err(Error::NotFound));
    assert_eq!(fs.create_dir("/d/f/y"), Err(Error::NotADirectory));
    assert_eq!(fs.remove_dir("/"), Err(Error::Busy));
    assert_eq!(fs.remove_dir("/d"), Err(Error::DirectoryNotEmpty));
    assert_eq!(fs.remove_dir("/d/f"), Err(Error::NotADirectory));
    assert_eq!(fs.remove_dir("/d/none"), Err(Error::NotFound));
    assert_eq!(fs.remove_dir("/d/f/x"), Err(Error::NotADirectory));
    assert_eq!(fs.remove_file("/"), Err(Error::IsADirectory));
    assert_eq!(fs.remove_file("/d"), Err(Error::IsADirectory));
    assert_eq!(fs.remove_file("/d/none"), Err(Error::NotFound));
    fs.remove_file("/d/f").unwrap();
    assert_eq!(fs.remove_file("/d/f"), Err(Error::NotFound));
    fs.remove_dir("/d").unwrap();
    assert_eq!(fs.used(), 0);
}

#[test]
fn metadata_of_files() {
    let fs = big();
    write_file(&fs, "/f", b"12345");
    let metadata = fs.metadata("/f").unwrap();
    assert_eq!(metadata.kind, FileKind::File);
    assert_eq!(metadata.size, 5);
    assert_eq!(metadata.mode, 0o644);
    assert_eq!(metadata.st_mode(), 0o100_644);
    assert_eq!(metadata.device, 0);
    assert!(metadata.inode > RAMFS_ROOT_INODE);
    let file = open(&fs, "/f", "r");
    assert_eq!(file.metadata(), Ok(metadata));
    // Inode numbers are never reused.
    fs.remove_file("/f").unwrap();
    drop(file);
    write_file(&fs, "/f", b"");
    assert!(fs.metadata("/f").unwrap().inode > metadata.inode);
}

#[test]
fn timestamps_come_from_the_clock() {
    set_now(5_000);
    let fs = big();
    assert_eq!(fs.metadata("/").unwrap().modified, 5_000);
    set_now(6_000);
    let mut file = open(&fs, "/f", "w");
    assert_eq!(fs.metadata("/f").unwrap().modified, 6_000);
    assert_eq!(fs.metadata("/").unwrap().modified, 6_000);
    set_now(7_000);
    file.write(b"x").unwrap();
    assert_eq!(file.metadata().unwrap().modified, 7_000);
    assert_eq!(fs.metadata("/").unwrap().modified, 6_000);
    set_now(8_000);
    file.truncate(0).unwrap();
    assert_eq!(file.metadata().unwrap().modified, 8_000);
    set_now(9_000);
    fs.create_dir("/d").unwrap();
    fs.rename("/f", "/d/f").unwrap();
    assert_eq!(fs.metadata("/d").unwrap().modified, 9_000);
    assert_eq!(fs.metadata("/d/f").unwrap().modified, 8_000);
}

#[test]
fn statvfs_numbers() {
    let limit = 1_000_000;
    let fs = RamFs::new(limit, clock);
    let empty = fs.statvfs().unwrap();
    assert_eq!(empty.block_size, RAMFS_BLOCK_SIZE);
    assert_eq!(empty.fragment_size, RAMFS_BLOCK_SIZE);
    assert_eq!(empty.blocks, limit / RAMFS_BLOCK_SIZE);
    assert_eq!(empty.blocks_free, limit / RAMFS_BLOCK_SIZE);
    assert_eq!(empty.blocks_available, empty.blocks_free);
    assert_eq!(empty.files, limit / RAMFS_NODE_COST);
    assert_eq!(empty.files_free, limit / RAMFS_NODE_COST);
    assert_eq!(empty.name_max, 255);
    write_file(&fs, "/f", &[0; 10_000]);
    let used = cost("f", 10_000);
    assert_eq!(fs.used(), used);
    let after = fs.statvfs().unwrap();
    assert_eq!(after.blocks, empty.blocks);
    assert_eq!(after.blocks_free, (limit - used) / RAMFS_BLOCK_SIZE);
    assert_eq!(after.files_free, (limit - used) / RAMFS_NODE_COST);
}

#[test]
fn rename_respects_the_limit_for_longer_names() {
    let fs = RamFs::new(cost("ab", 0), clock);
    write_file(&fs, "/ab", b"");
    assert_eq!(fs.rename("/ab", "/abc"), Err(Error::NoSpace));
    fs.rename("/ab", "/a").unwrap();
    assert_eq!(fs.used(), cost("a", 0));
    fs.rename("/a", "/ab").unwrap();
    assert_eq!(fs.used(), fs.limit());
}

#[test]
fn huge_positions_fail_cleanly() {
    let fs = RamFs::new(u64::MAX, clock);
    let mut file = open(&fs, "/f", "w+");
    assert_eq!(
        file.seek(SeekFrom::Start(i64::MAX as u64)),
        Ok(i64::MAX as u64)
    );
    assert_eq!(file.write(b"x"), Err(Error::NoSpace));
    assert_eq!(file.read(&mut [0; 8]), Ok(0));
    assert_eq!(file.truncate(i64::MAX as u64), Err(Error::NoSpace));
    assert_eq!(file.metadata().unwrap().size, 0);
    assert_eq!(fs.used(), cost("f", 0));
}

#[test]
fn clones_share_the_file_system() {
    let fs = big();
    let view = fs.clone();
    write_file(&fs, "/f", b"shared");
    assert_eq!(read_file(&view, "/f"), b"shared");
    assert_eq!(view.used(), fs.used());
}
