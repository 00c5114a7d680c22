//! Tests of `Namespace`: routing across mounts, view directories, busy mounts, devices.
use std::cell::Cell;
use std::collections::BTreeMap;
use std::rc::Rc;

use vfscore::{
    path, DirEntry, Error, FileKind, FileSystem, Metadata, Namespace, OpenFile, OpenOptions,
    Opened, RamFs, StatVfs, StaticFile, O_CREAT, O_DIRECTORY, O_RDONLY, RAMFS_ROOT_INODE,
};

fn clock() -> i64 {
    1_700_000_000
}

/// A read-only file system of `'static` files; directories are implied by the file paths.
struct StaticFs {
    files: BTreeMap<String, &'static [u8]>,
    syncs: Rc<Cell<usize>>,
    fail_sync: bool,
}

impl StaticFs {
    fn new(files: &[(&str, &'static [u8])]) -> StaticFs {
        StaticFs {
            files: files
                .iter()
                .map(|(path, data)| (path.to_string(), *data))
                .collect(),
            syncs: Rc::new(Cell::new(0)),
            fail_sync: false,
        }
    }

    fn inode_of(&self, path: &str) -> u64 {
        self.files
            .keys()
            .position(|key| key == path)
            .map_or(1000 + path.len() as u64, |index| 2 + index as u64)
    }
}

impl FileSystem for StaticFs {
    fn open(&self, path: &str, options: &OpenOptions) -> Result<Box<dyn OpenFile>, Error> {
        let metadata = match self.metadata(path) {
            Err(Error::NotFound) if options.create || options.create_new => {
                return Err(Error::ReadOnly)
            }
            other => other?,
        };
        if options.create_new {
            return Err(Error::AlreadyExists);
        }
        if metadata.is_directory() {
            return Err(Error::IsADirectory);
        }
        if options.wants_change() {
            return Err(Error::ReadOnly);
        }
        Ok(Box::new(StaticFile::new(self.files[path], metadata)))
    }

    fn metadata(&self, path: &str) -> Result<Metadata, Error> {
        path::check(path)?;
        let kind = if let Some(data) = self.files.get(path) {
            return Ok(Metadata {
                kind: FileKind::File,
                size: data.len() as u64,
                mode: 0o444,
                modified: 42,
                inode: self.inode_of(path),
                device: 0,
            });
        } else if path == "/"
            || self
                .files
                .keys()
                .any(|key| path::is_strictly_within(key, path))
        {
            FileKind::Directory
        } else {
            return Err(Error::NotFound);
        };
        Ok(Metadata {
            kind,
            size: 0,
            mode: 0o555,
            modified: 42,
            inode: self.inode_of(path),
            device: 0,
        })
    }

    fn read_dir(&self, path: &str) -> Result<Vec<DirEntry>, Error> {
        if !self.metadata(path)?.is_directory() {
            return Err(Error::NotADirectory);
        }
        let mut names: Vec<&str> = self
            .files
            .keys()
            .filter(|key| key.as_str() != path)
            .filter_map(|key| path::strip_prefix(key, path))
            .filter_map(|rest| path::components(rest).next())
            .collect();
        names.dedup();
        names
            .into_iter()
            .map(|name| {
                let child = path::join(path, name);
                let metadata = self.metadata(&child)?;
                Ok(DirEntry {
                    name: name.to_string(),
                    kind: metadata.kind,
                    inode: metadata.inode,
                })
            })
            .collect()
    }

    fn create_dir(&self, _path: &str) -> Result<(), Error> {
        Err(Error::ReadOnly)
    }

    fn remove_dir(&self, _path: &str) -> Result<(), Error> {
        Err(Error::ReadOnly)
    }

    fn remove_file(&self, _path: &str) -> Result<(), Error> {
        Err(Error::ReadOnly)
    }

    fn rename(&self, _from: &str, _to: &str) -> Result<(), Error> {
        Err(Error::ReadOnly)
    }

    fn statvfs(&self) -> Result<StatVfs, Error> {
        Ok(StatVfs {
            block_size: 4096,
            fragment_size: 4096,
            blocks: 10,
            name_max: 255,
            ..StatVfs::default()
        })
    }

    fn sync(&self) -> Result<(), Error> {
        self.syncs.set(self.syncs.get() + 1);
        if self.fail_sync {
            Err(Error::Io)
        } else {
            Ok(())
        }
    }

    fn is_read_only(&self) -> bool {
        true
    }

    fn name(&self) -> &str {
        "static"
    }
}

fn ram(limit: u64) -> RamFs {
    RamFs::new(limit, clock)
}

fn mode(mode: &str) -> OpenOptions {
    OpenOptions::from_mode(mode).unwrap()
}

fn names(entries: &[DirEntry]) -> Vec<&str> {
    entries.iter().map(|entry| entry.name.as_str()).collect()
}

fn write(namespace: &Namespace, path: &str, data: &[u8]) {
    let mut file = namespace.open(path, &mode("w")).unwrap();
    assert_eq!(file.write(data), Ok(data.len()));
    file.close().unwrap();
}

fn read(namespace: &Namespace, path: &str) -> Vec<u8> {
    let mut file = namespace.open(path, &mode("r")).unwrap();
    let mut buffer = vec![0u8; 4096];
    let count = file.read(&mut buffer).unwrap();
    buffer.truncate(count);
    buffer
}

fn error_of<T>(result: Result<T, Error>) -> Error {
    match result {
        Ok(_) => panic!("expected an error"),
        Err(error) => error,
    }
}

/// `/` a RamFs with `/etc/hosts`, `/mnt/sd` a RamFs with `/photo`, `/mnt/usb/disk` static.
fn sample() -> (Namespace, RamFs, RamFs) {
    let root = ram(1 << 20);
    let sd = ram(1 << 16);
    let mut namespace = Namespace::new();
    assert_eq!(namespace.mount("/", Box::new(root.clone())), Ok(1));
    assert_eq!(namespace.mount("/mnt/sd", Box::new(sd.clone())), Ok(2));
    let disk = StaticFs::new(&[("/readme", b"read me"), ("/docs/a.txt", b"a")]);
    assert_eq!(namespace.mount("/mnt/usb/disk", Box::new(disk)), Ok(3));
    namespace.create_dir("/etc").unwrap();
    write(&namespace, "/etc/hosts", b"localhost");
    write(&namespace, "/mnt/sd/photo", b"jpeg");
    (namespace, root, sd)
}

#[test]
fn empty_namespace_has_a_read_only_root() {
    let namespace = Namespace::new();
    let root = namespace.metadata("/").unwrap();
    assert_eq!(root.kind, FileKind::Directory);
    assert_eq!(root.device, 0);
    assert_eq!(root.mode, 0o555);
    assert!(namespace.read_dir("/").unwrap().is_empty());
    assert_eq!(namespace.metadata("/x"), Err(Error::NotFound));
    assert_eq!(error_of(namespace.open("/x", &mode("r"))), Error::NotFound);
    assert_eq!(error_of(namespace.open("/x", &mode("w"))), Error::ReadOnly);
    assert_eq!(
        error_of(namespace.open("/a/x", &mode("w"))),
        Error::NotFound
    );
    assert_eq!(
        error_of(namespace.open("/", &mode("r"))),
        Error::IsADirectory
    );
    assert_eq!(
        error_of(namespace.open("/", &mode("x"))),
        Error::AlreadyExists
    );
    assert_eq!(namespace.create_dir("/x"), Err(Error::ReadOnly));
    assert_eq!(namespace.create_dir("/"), Err(Error::AlreadyExists));
    assert_eq!(namespace.remove_dir("/"), Err(Error::Busy));
    assert_eq!(namespace.remove_file("/"), Err(Error::Busy));
    assert_eq!(namespace.remove_file("/x"), Err(Error::NotFound));
    let statvfs = namespace.statvfs_at("/").unwrap();
    assert_eq!(statvfs.blocks, 0);
    assert_eq!(statvfs.name_max, 255);
    assert_eq!(namespace.statvfs(), Ok(statvfs));
    assert_eq!(namespace.statvfs_at("/x"), Err(Error::NotFound));
    assert_eq!(namespace.name(), "namespace");
    assert!(!namespace.is_read_only());
    assert_eq!(namespace.sync(), Ok(()));
}

#[test]
fn view_directories_without_a_root_mount() {
    let mut namespace = Namespace::new();
    namespace.mount("/mnt/sd", Box::new(ram(1 << 16))).unwrap();
    write(&namespace, "/mnt/sd/f", b"x");
    assert_eq!(names(&namespace.read_dir("/").unwrap()), ["mnt"]);
    assert_eq!(names(&namespace.read_dir("/mnt").unwrap()), ["sd"]);
    assert_eq!(names(&namespace.read_dir("/mnt/sd").unwrap()), ["f"]);
    let mnt = namespace.metadata("/mnt").unwrap();
    assert!(mnt.is_directory());
    assert_eq!(mnt.device, 0);
    let listed = &namespace.read_dir("/").unwrap()[0];
    assert_eq!(
        (listed.kind, listed.inode),
        (FileKind::Directory, mnt.inode)
    );
    assert_ne!(mnt.inode, namespace.metadata("/").unwrap().inode);
    assert_eq!(namespace.metadata("/mnt/other"), Err(Error::NotFound));
    assert_eq!(namespace.read_dir("/other"), Err(Error::NotFound));
    assert_eq!(
        error_of(namespace.open("/mnt/x", &mode("w"))),
        Error::ReadOnly
    );
    assert_eq!(namespace.create_dir("/mnt"), Err(Error::AlreadyExists));
    assert_eq!(namespace.remove_dir("/mnt"), Err(Error::Busy));
}

#[test]
fn routing_and_merged_listings() {
    let (namespace, root, sd) = sample();
    assert_eq!(names(&namespace.read_dir("/").unwrap()), ["etc", "mnt"]);
    assert_eq!(names(&namespace.read_dir("/mnt").unwrap()), ["sd", "usb"]);
    assert_eq!(names(&namespace.read_dir("/mnt/usb").unwrap()), ["disk"]);
    assert_eq!(names(&namespace.read_dir("/mnt/sd").unwrap()), ["photo"]);
    assert_eq!(
        names(&namespace.read_dir("/mnt/usb/disk").unwrap()),
        ["docs", "readme"]
    );
    assert_eq!(read(&namespace, "/mnt/usb/disk/docs/a.txt"), b"a");
    assert_eq!(read(&namespace, "/mnt/sd/photo"), b"jpeg");
    assert_eq!(read(&namespace, "/etc/hosts"), b"localhost");
    // Each file system sees only its own part, with its own paths.
    assert_eq!(names(&root.read_dir("/").unwrap()), ["etc"]);
    assert_eq!(names(&sd.read_dir("/").unwrap()), ["photo"]);
    assert_eq!(namespace.metadata("/mnt/sd/etc"), Err(Error::NotFound));
}

#[test]
fn file_system_directory_merges_with_mount_points() {
    let (namespace, root, _) = sample();
    root.create_dir("/mnt").unwrap();
    let mut notes = root.open("/mnt/notes", &mode("w")).unwrap();
    notes.write(b"n").unwrap();
    drop(notes);
    let entries = namespace.read_dir("/mnt").unwrap();
    assert_eq!(names(&entries), ["notes", "sd", "usb"]);
    assert_eq!(entries[0].kind, FileKind::File);
    // Now /mnt is a real directory of the root file system.
    let mnt = namespace.metadata("/mnt").unwrap();
    assert_eq!(mnt.device, 1);
    assert_eq!(mnt.inode, root.metadata("/mnt").unwrap().inode);
    assert_eq!(read(&namespace, "/mnt/notes"), b"n");
}

#[test]
fn view_directory_wins_over_a_file_of_the_same_name() {
    let (namespace, root, _) = sample();
    drop(root.open("/mnt", &mode("w")).unwrap());
    assert!(namespace.metadata("/mnt").unwrap().is_directory());
    let entries = namespace.read_dir("/").unwrap();
    let mnt = entries.iter().find(|entry| entry.name == "mnt").unwrap();
    assert_eq!(mnt.kind, FileKind::Directory);
    assert_eq!(mnt.inode, namespace.metadata("/mnt").unwrap().inode);
    assert_eq!(names(&namespace.read_dir("/mnt").unwrap()), ["sd", "usb"]);
    assert_eq!(
        error_of(namespace.open("/mnt", &mode("r"))),
        Error::IsADirectory
    );
}

#[test]
fn mount_point_shadows_the_directory_below() {
    let root = ram(1 << 20);
    root.create_dir("/data").unwrap();
    drop(root.open("/data/hidden", &mode("w")).unwrap());
    let mut namespace = Namespace::new();
    namespace.mount("/", Box::new(root)).unwrap();
    let data = ram(1 << 16);
    drop(data.open("/visible", &mode("w")).unwrap());
    namespace.mount("/data", Box::new(data)).unwrap();
    assert_eq!(names(&namespace.read_dir("/data").unwrap()), ["visible"]);
    assert_eq!(namespace.metadata("/data/hidden"), Err(Error::NotFound));
    let metadata = namespace.metadata("/data").unwrap();
    assert_eq!((metadata.inode, metadata.device), (RAMFS_ROOT_INODE, 2));
    let entry = namespace
        .read_dir("/")
        .unwrap()
        .into_iter()
        .find(|entry| entry.name == "data")
        .unwrap();
    assert_eq!(entry.inode, RAMFS_ROOT_INODE);
    // "/database" belongs to the root file system, not to "/data".
    namespace.create_dir("/database").unwrap();
    assert_eq!(namespace.metadata("/database").unwrap().device, 1);
}

#[test]
fn renames_and_removals_across_mounts() {
    let (namespace, _, _) = sample();
    assert_eq!(
        namespace.rename("/etc/hosts", "/mnt/sd/hosts"),
        Err(Error::CrossDevice)
    );
    assert_eq!(
        namespace.rename("/mnt/sd/photo", "/photo"),
        Err(Error::CrossDevice)
    );
    assert_eq!(namespace.rename("/mnt/sd", "/sd"), Err(Error::Busy));
    assert_eq!(namespace.rename("/mnt", "/media"), Err(Error::Busy));
    assert_eq!(namespace.rename("/etc", "/mnt/sd"), Err(Error::Busy));
    assert_eq!(namespace.rename("/etc", "/"), Err(Error::Busy));
    assert_eq!(namespace.remove_dir("/mnt/sd"), Err(Error::Busy));
    assert_eq!(namespace.remove_dir("/mnt/usb"), Err(Error::Busy));
    assert_eq!(namespace.remove_file("/mnt/sd"), Err(Error::Busy));
    // Within one mount, renames work with the mount's own paths.
    namespace
        .rename("/mnt/sd/photo", "/mnt/sd/picture")
        .unwrap();
    assert_eq!(read(&namespace, "/mnt/sd/picture"), b"jpeg");
    namespace.rename("/etc/hosts", "/hosts").unwrap();
    assert_eq!(read(&namespace, "/hosts"), b"localhost");
    namespace.remove_file("/hosts").unwrap();
    namespace.remove_dir("/etc").unwrap();
    assert_eq!(names(&namespace.read_dir("/").unwrap()), ["mnt"]);
    assert_eq!(
        namespace.rename("/nothing", "/mnt/sd/x"),
        Err(Error::CrossDevice)
    );
}

#[test]
fn read_only_mount() {
    let (namespace, _, _) = sample();
    let disk = namespace.file_system("/mnt/usb/disk").unwrap();
    assert!(disk.is_read_only());
    assert_eq!(disk.name(), "static");
    for how in ["w", "a", "r+", "x"] {
        assert_eq!(
            error_of(namespace.open("/mnt/usb/disk/readme", &mode(how))),
            if how == "x" {
                Error::AlreadyExists
            } else {
                Error::ReadOnly
            },
            "{how}"
        );
    }
    assert_eq!(
        error_of(namespace.open("/mnt/usb/disk/new", &mode("w"))),
        Error::ReadOnly
    );
    assert_eq!(
        namespace.create_dir("/mnt/usb/disk/d"),
        Err(Error::ReadOnly)
    );
    assert_eq!(
        namespace.remove_file("/mnt/usb/disk/readme"),
        Err(Error::ReadOnly)
    );
    assert_eq!(
        namespace.rename("/mnt/usb/disk/readme", "/mnt/usb/disk/x"),
        Err(Error::ReadOnly)
    );
    let mut file = namespace.open("/mnt/usb/disk/readme", &mode("r")).unwrap();
    assert_eq!(file.write(b"x"), Err(Error::BadDescriptor));
    assert_eq!(file.truncate(0), Err(Error::InvalidArgument));
    assert_eq!(file.seek(vfscore::SeekFrom::Start(5)), Ok(5));
    let mut buffer = [0u8; 8];
    assert_eq!(file.read(&mut buffer), Ok(2));
    assert_eq!(&buffer[..2], b"me");
    assert_eq!(file.metadata().unwrap().device, 3);
    assert_eq!(file.metadata().unwrap().size, 7);
}

#[test]
fn busy_mounts_cannot_be_unmounted() {
    let (mut namespace, _, _) = sample();
    assert_eq!(error_of(namespace.umount("/mnt")), Error::InvalidArgument);
    assert_eq!(
        error_of(namespace.umount("/mnt/sd/")),
        Error::InvalidArgument
    );
    assert_eq!(error_of(namespace.umount("/")), Error::Busy);
    let file = namespace.open("/mnt/sd/photo", &mode("r")).unwrap();
    let other = namespace.open("/mnt/sd/photo", &mode("r")).unwrap();
    assert_eq!(namespace.open_file_count("/mnt/sd"), Some(2));
    assert_eq!(namespace.open_file_count("/"), Some(0));
    assert_eq!(error_of(namespace.umount("/mnt/sd")), Error::Busy);
    file.close().unwrap();
    assert_eq!(error_of(namespace.umount("/mnt/sd")), Error::Busy);
    drop(other);
    assert_eq!(namespace.open_file_count("/mnt/sd"), Some(0));
    let sd = namespace.umount("/mnt/sd").unwrap();
    assert_eq!(sd.metadata("/photo").unwrap().kind, FileKind::File);
    assert_eq!(namespace.metadata("/mnt/sd"), Err(Error::NotFound));
    assert_eq!(names(&namespace.read_dir("/mnt").unwrap()), ["usb"]);
    // Directory listings hold nothing open.
    let listing = namespace.open_node("/mnt/usb/disk", &mode("r")).unwrap();
    namespace.umount("/mnt/usb/disk").unwrap();
    drop(listing);
    assert_eq!(names(&namespace.read_dir("/").unwrap()), ["etc"]);
    namespace.umount("/").unwrap();
    assert_eq!(namespace.mount_points().count(), 0);
    // A new mount gets a new device number.
    assert_eq!(namespace.mount("/", Box::new(ram(100))), Ok(4));
}

#[test]
fn failing_sync_keeps_the_mount() {
    let mut namespace = Namespace::new();
    let mut failing = StaticFs::new(&[("/f", b"x")]);
    failing.fail_sync = true;
    let syncs = Rc::clone(&failing.syncs);
    namespace.mount("/ro", Box::new(failing)).unwrap();
    let healthy = StaticFs::new(&[]);
    let healthy_syncs = Rc::clone(&healthy.syncs);
    namespace.mount("/ok", Box::new(healthy)).unwrap();
    assert_eq!(namespace.sync(), Err(Error::Io));
    assert_eq!((syncs.get(), healthy_syncs.get()), (1, 1));
    assert_eq!(error_of(namespace.umount("/ro")), Error::Io);
    assert_eq!(read(&namespace, "/ro/f"), b"x");
    assert!(namespace.umount("/ok").is_ok());
    assert_eq!(healthy_syncs.get(), 2);
}

#[test]
fn mount_errors() {
    let (mut namespace, _, _) = sample();
    assert_eq!(
        namespace.mount("/mnt/sd", Box::new(ram(1))),
        Err(Error::Busy)
    );
    assert_eq!(
        namespace.mount("mnt", Box::new(ram(1))),
        Err(Error::InvalidArgument)
    );
    assert_eq!(
        namespace.mount_points().collect::<Vec<_>>(),
        ["/", "/mnt/sd", "/mnt/usb/disk"]
    );
    assert_eq!(namespace.device_of("/mnt/sd"), Some(2));
    assert_eq!(namespace.device_of("/mnt"), None);
    assert!(namespace.file_system("/mnt").is_none());
    assert_eq!(namespace.file_system("/mnt/sd").unwrap().name(), "ramfs");
}

#[test]
fn open_node_gives_files_and_listings() {
    let (namespace, _, _) = sample();
    match namespace.open_node("/etc/hosts", &mode("r")).unwrap() {
        Opened::File(file) => assert_eq!(file.metadata().unwrap().size, 9),
        Opened::Directory { .. } => panic!("a file was listed"),
    }
    match namespace.open_node("/etc", &mode("r")).unwrap() {
        Opened::Directory { metadata, entries } => {
            assert_eq!((metadata.kind, metadata.device), (FileKind::Directory, 1));
            assert_eq!(names(&entries), ["hosts"]);
        }
        Opened::File(_) => panic!("a directory was opened as a file"),
    }
    match namespace.open_node("/", &OpenOptions::from_flags(O_DIRECTORY).unwrap()) {
        Ok(Opened::Directory { entries, .. }) => assert_eq!(names(&entries), ["etc", "mnt"]),
        _ => panic!("the root was not listed"),
    }
    match namespace.open_node("/mnt", &mode("r")) {
        Ok(Opened::Directory { entries, metadata }) => {
            assert_eq!(names(&entries), ["sd", "usb"]);
            assert_eq!(metadata.device, 0);
        }
        _ => panic!("the view directory was not listed"),
    }
    let directory_flags = OpenOptions::from_flags(O_RDONLY | O_DIRECTORY).unwrap();
    let fails = |path: &str, options: &OpenOptions| match namespace.open_node(path, options) {
        Ok(_) => panic!("{path} opened"),
        Err(error) => error,
    };
    assert_eq!(fails("/etc/hosts", &directory_flags), Error::NotADirectory);
    assert_eq!(fails("/missing", &directory_flags), Error::NotFound);
    assert_eq!(
        fails(
            "/missing",
            &OpenOptions::from_flags(O_DIRECTORY | O_CREAT).unwrap()
        ),
        Error::NotFound
    );
    assert_eq!(fails("/etc", &mode("w")), Error::IsADirectory);
    assert_eq!(fails("/etc", &mode("r+")), Error::IsADirectory);
    assert_eq!(fails("/etc", &mode("x")), Error::AlreadyExists);
    assert_eq!(fails("/mnt", &mode("a")), Error::IsADirectory);
    assert_eq!(fails("/mnt/sd", &mode("x")), Error::AlreadyExists);
    assert_eq!(fails("/etc/", &mode("r")), Error::InvalidArgument);
    assert_eq!(fails("/nothing", &mode("r")), Error::NotFound);
    // A plain open that creates a file still gives a file.
    assert!(matches!(
        namespace.open_node("/etc/new", &mode("w")),
        Ok(Opened::File(_))
    ));
}

#[test]
fn devices_make_inodes_unique() {
    let (namespace, _, _) = sample();
    let root = namespace.metadata("/").unwrap();
    let sd = namespace.metadata("/mnt/sd").unwrap();
    assert_eq!((root.inode, root.device), (RAMFS_ROOT_INODE, 1));
    assert_eq!((sd.inode, sd.device), (RAMFS_ROOT_INODE, 2));
    let file = namespace.open("/mnt/sd/photo", &mode("r")).unwrap();
    assert_eq!(
        file.metadata().unwrap(),
        namespace.metadata("/mnt/sd/photo").unwrap()
    );
    assert_eq!(file.metadata().unwrap().device, 2);
    assert_eq!(namespace.metadata("/etc/hosts").unwrap().device, 1);
}

#[test]
fn statvfs_per_mount() {
    let (namespace, _, _) = sample();
    let root = namespace.statvfs_at("/etc/hosts").unwrap();
    assert_eq!(root.blocks, (1 << 20) / 512);
    let sd = namespace.statvfs_at("/mnt/sd").unwrap();
    assert_eq!(sd.blocks, (1 << 16) / 512);
    assert_eq!(
        namespace.statvfs_at("/mnt/usb/disk/docs").unwrap().blocks,
        10
    );
    // A view directory inside the root mount reports the root file system.
    assert_eq!(namespace.statvfs_at("/mnt").unwrap(), root);
    assert_eq!(namespace.statvfs_at("/mnt/sd/none"), Err(Error::NotFound));
    assert_eq!(namespace.statvfs(), Ok(root));
}

#[test]
fn current_directory() {
    let (mut namespace, _, _) = sample();
    assert_eq!(namespace.current_directory(), "/");
    namespace.change_directory("mnt").unwrap();
    assert_eq!(namespace.current_directory(), "/mnt");
    namespace.change_directory("sd").unwrap();
    assert_eq!(namespace.absolute("photo").unwrap(), "/mnt/sd/photo");
    assert_eq!(
        namespace.absolute("../usb/./disk").unwrap(),
        "/mnt/usb/disk"
    );
    assert_eq!(namespace.absolute("/etc").unwrap(), "/etc");
    assert_eq!(namespace.absolute(""), Err(Error::NotFound));
    assert_eq!(
        namespace.change_directory("photo"),
        Err(Error::NotADirectory)
    );
    assert_eq!(namespace.change_directory("missing"), Err(Error::NotFound));
    assert_eq!(namespace.current_directory(), "/mnt/sd");
    namespace.change_directory("../../..").unwrap();
    assert_eq!(namespace.current_directory(), "/");
}

#[test]
fn unnormalized_paths_are_refused() {
    let (namespace, _, _) = sample();
    for path in ["", "etc", "/etc/", "/etc/../etc", "//etc"] {
        assert_eq!(
            namespace.metadata(path),
            Err(Error::InvalidArgument),
            "{path:?}"
        );
        assert_eq!(
            namespace.read_dir(path),
            Err(Error::InvalidArgument),
            "{path:?}"
        );
        assert_eq!(
            error_of(namespace.open(path, &mode("r"))),
            Error::InvalidArgument
        );
        assert_eq!(namespace.remove_dir(path), Err(Error::InvalidArgument));
        assert_eq!(namespace.rename(path, "/x"), Err(Error::InvalidArgument));
    }
}

#[test]
fn namespaces_nest() {
    let (inner, _, _) = sample();
    let mut outer = Namespace::new();
    outer.mount("/inner", Box::new(inner)).unwrap();
    assert_eq!(read(&outer, "/inner/mnt/sd/photo"), b"jpeg");
    assert_eq!(names(&outer.read_dir("/inner/mnt").unwrap()), ["sd", "usb"]);
    assert_eq!(
        outer.rename("/inner/etc/hosts", "/inner/mnt/sd/hosts"),
        Err(Error::CrossDevice)
    );
}
