//! Random operation sequences: nothing panics, usage never passes the limit, nothing leaks.
use vfscore::{
    path, Error, FileKind, FileSystem, Namespace, OpenFile, OpenOptions, RamFs, SeekFrom,
};

/// A small deterministic pseudo-random generator (xorshift64*).
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

fn clock() -> i64 {
    0
}

const PATHS: [&str; 12] = [
    "/a", "/b", "/a/a", "/a/b", "/b/a", "/a/a/a", "/c", "/a/c", "/b/c", "/a/b/c", "/", "/d",
];
const MODES: [&str; 9] = ["r", "w", "a", "x", "r+", "w+", "a+", "x+", "rb"];

/// Removes everything below `directory` (depth first).
fn remove_all(fs: &dyn FileSystem, directory: &str) {
    for entry in fs.read_dir(directory).unwrap() {
        let child = path::join(directory, &entry.name);
        match entry.kind {
            FileKind::File => fs.remove_file(&child).unwrap(),
            FileKind::Directory => {
                remove_all(fs, &child);
                fs.remove_dir(&child).unwrap();
            }
        }
    }
}

/// Runs 3000 random operations; returns how many succeeded and how many hit `NoSpace`.
fn run(seed: u64, limit: u64) -> (usize, usize) {
    let fs = RamFs::new(limit, clock);
    let mut namespace = Namespace::new();
    namespace.mount("/", Box::new(fs.clone())).unwrap();
    let mut random = Random(seed | 1);
    let mut handles: Vec<Box<dyn OpenFile>> = Vec::new();
    let (mut successes, mut no_space) = (0, 0);
    for _ in 0..3000 {
        let path = random.pick(&PATHS);
        let other = random.pick(&PATHS);
        let result: Result<(), Error> = match random.below(12) {
            0 | 1 => namespace
                .open(path, &OpenOptions::from_mode(random.pick(&MODES)).unwrap())
                .map(|file| handles.push(file)),
            2 => namespace.create_dir(path),
            3 => namespace.remove_file(path),
            4 => namespace.remove_dir(path),
            5 => namespace.rename(path, other),
            6 | 7 if !handles.is_empty() => {
                let index = random.below(handles.len() as u64) as usize;
                let length = random.below(300) as usize;
                let data = vec![random.next() as u8; length];
                handles[index].write(&data).map(drop)
            }
            8 if !handles.is_empty() => {
                let index = random.below(handles.len() as u64) as usize;
                let target = match random.below(3) {
                    0 => SeekFrom::Start(random.below(2000)),
                    1 => SeekFrom::Current(random.below(2000) as i64 - 1000),
                    _ => SeekFrom::End(random.below(2000) as i64 - 1000),
                };
                handles[index].seek(target).map(drop)
            }
            9 if !handles.is_empty() => {
                let index = random.below(handles.len() as u64) as usize;
                let mut buffer = [0u8; 64];
                handles[index].read(&mut buffer).map(drop)
            }
            10 if !handles.is_empty() => {
                let index = random.below(handles.len() as u64) as usize;
                handles[index].truncate(random.below(1500))
            }
            11 if !handles.is_empty() => {
                let index = random.below(handles.len() as u64) as usize;
                handles.swap_remove(index).close()
            }
            _ => namespace.read_dir(path).map(drop),
        };
        match result {
            Ok(()) => successes += 1,
            Err(Error::NoSpace) => no_space += 1,
            Err(error) => assert!(error.errno() > 0),
        }
        assert!(fs.used() <= limit, "seed {seed}: {} > {limit}", fs.used());
        let statvfs = fs.statvfs().unwrap();
        assert!(statvfs.blocks_free <= statvfs.blocks);
    }
    // Close every handle, remove every file: back to an empty file system.
    for handle in handles.drain(..) {
        handle.close().unwrap();
    }
    remove_all(&namespace, "/");
    assert_eq!(fs.used(), 0, "seed {seed}");
    assert_eq!(fs.node_count(), 1, "seed {seed}");
    assert_eq!(namespace.open_file_count("/"), Some(0));
    namespace.umount("/").unwrap();
    (successes, no_space)
}

#[test]
fn random_operations_with_plenty_of_space() {
    for seed in 1..6 {
        let (successes, no_space) = run(seed, 1 << 24);
        assert!(successes > 1000, "seed {seed}: {successes}");
        assert_eq!(no_space, 0);
    }
}

#[test]
fn random_operations_on_a_tiny_file_system() {
    for seed in 10..20 {
        let (successes, no_space) = run(seed, 2000);
        assert!(successes > 500, "seed {seed}: {successes}");
        assert!(no_space > 0, "seed {seed}");
    }
}

#[test]
fn random_paths_never_panic() {
    let mut random = Random(99);
    let alphabet = ['/', '.', 'a', '\0', 'é', ' ', '/', '.'];
    for _ in 0..20_000 {
        let length = random.below(12) as usize;
        let text: String = (0..length)
            .map(|_| alphabet[random.below(alphabet.len() as u64) as usize])
            .collect();
        if let Ok(normalized) = path::normalize("/x/y", &text) {
            assert!(
                path::is_normalized(&normalized),
                "{text:?} -> {normalized:?}"
            );
            assert_eq!(
                path::normalize("/", &normalized).as_deref(),
                Ok(normalized.as_str())
            );
        }
        let _ = path::check(&text);
        let _ = path::split_parent(&text);
        let _ = path::validate_name(&text);
        let _ = OpenOptions::from_mode(&text);
    }
}
