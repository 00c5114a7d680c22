//! Fuzz target: parse arbitrary bytes; when they parse, exercise every entry.
#![no_main]

use initfs::{Archive, EntryKind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(archive) = Archive::parse(bytes) else {
        return;
    };
    assert!(archive.len_bytes() <= bytes.len());
    let _ = archive.verify();
    let mut count = 0;
    for entry in archive.entries() {
        count += 1;
        assert_eq!(archive.lookup(entry.path()), Some(entry));
        assert_eq!(archive.lookup(&format!("/{}/", entry.path())), Some(entry));
        assert_eq!(entry.size() as usize, entry.data().len());
        let _ = entry.verify();
        match entry.kind() {
            EntryKind::Directory => {
                let children = archive.read_dir(entry.path()).expect("a directory");
                for child in children {
                    assert_eq!(archive.lookup(child.path()), Some(child));
                    assert!(child.path().starts_with(entry.path()));
                }
            }
            EntryKind::File => assert!(archive.read_dir(entry.path()).is_none()),
        }
    }
    assert_eq!(count, archive.entry_count());
    let top_level = archive.read_dir("/").expect("the root is a directory");
    assert!(top_level.count() <= count);
});
