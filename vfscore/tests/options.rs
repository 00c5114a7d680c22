//! Tests of `OpenOptions` (from `open(2)` flags and Python modes) and `SeekFrom`.
use vfscore::{
    Error, OpenOptions, SeekFrom, O_APPEND, O_CREAT, O_DIRECTORY, O_EXCL, O_RDONLY, O_RDWR,
    O_TRUNC, O_WRONLY,
};

fn options(read: bool, write: bool) -> OpenOptions {
    OpenOptions {
        read,
        write,
        ..OpenOptions::default()
    }
}

#[test]
fn flags_access_modes() {
    assert_eq!(OpenOptions::from_flags(O_RDONLY), Ok(options(true, false)));
    assert_eq!(OpenOptions::from_flags(O_WRONLY), Ok(options(false, true)));
    assert_eq!(OpenOptions::from_flags(O_RDWR), Ok(options(true, true)));
    assert_eq!(OpenOptions::from_flags(3), Err(Error::InvalidArgument));
    assert_eq!(OpenOptions::read_only(), options(true, false));
}

#[test]
fn flags_creation_bits() {
    let all = OpenOptions::from_flags(O_RDWR | O_CREAT | O_EXCL | O_TRUNC | O_APPEND).unwrap();
    assert!(all.read && all.write && all.create && all.create_new && all.truncate && all.append);
    assert!(!all.directory);
    let exclusive_without_create = OpenOptions::from_flags(O_WRONLY | O_EXCL).unwrap();
    assert!(!exclusive_without_create.create_new && !exclusive_without_create.create);
    let directory = OpenOptions::from_flags(O_RDONLY | O_DIRECTORY).unwrap();
    assert!(directory.directory && directory.is_plain_read());
    // Unknown bits (O_CLOEXEC 0o2000000, O_NONBLOCK 0o4000) are ignored.
    assert_eq!(
        OpenOptions::from_flags(O_RDONLY | 0o2_000_000 | 0o4000),
        Ok(options(true, false))
    );
}

#[test]
fn flags_round_trip() {
    for flags in [
        O_RDONLY,
        O_WRONLY | O_CREAT | O_TRUNC,
        O_RDWR | O_CREAT | O_EXCL,
        O_WRONLY | O_APPEND | O_CREAT,
        O_RDONLY | O_DIRECTORY,
    ] {
        assert_eq!(OpenOptions::from_flags(flags).unwrap().to_flags(), flags);
    }
}

#[test]
fn python_modes() {
    let read = OpenOptions::from_mode("r").unwrap();
    assert_eq!(read, options(true, false));
    assert_eq!(OpenOptions::from_mode("rb").unwrap(), read);
    assert_eq!(OpenOptions::from_mode("rt").unwrap(), read);

    let write = OpenOptions::from_mode("w").unwrap();
    assert!(!write.read && write.write && write.create && write.truncate && !write.append);

    let append = OpenOptions::from_mode("ab").unwrap();
    assert!(!append.read && append.write && append.create && append.append && !append.truncate);

    let exclusive = OpenOptions::from_mode("x").unwrap();
    assert!(exclusive.write && exclusive.create_new && !exclusive.truncate);

    let update = OpenOptions::from_mode("r+b").unwrap();
    assert!(update.read && update.write && !update.create && !update.truncate);

    let write_update = OpenOptions::from_mode("w+").unwrap();
    assert!(write_update.read && write_update.write && write_update.truncate);

    let append_update = OpenOptions::from_mode("+a").unwrap();
    assert!(append_update.read && append_update.append);
}

#[test]
fn bad_python_modes() {
    for mode in [
        "", "b", "+", "rw", "rr", "r++", "rbb", "bt", "rU", "q", "r ", "wa",
    ] {
        assert_eq!(
            OpenOptions::from_mode(mode),
            Err(Error::InvalidArgument),
            "{mode:?}"
        );
    }
}

#[test]
fn plain_read_and_change() {
    assert!(OpenOptions::read_only().is_plain_read());
    assert!(!OpenOptions::read_only().wants_change());
    let truncating = OpenOptions {
        truncate: true,
        ..OpenOptions::read_only()
    };
    assert!(truncating.wants_change() && !truncating.is_plain_read());
    assert!(OpenOptions::from_mode("a").unwrap().wants_change());
}

#[test]
fn seek_from_whence() {
    assert_eq!(SeekFrom::from_whence(5, 0), Ok(SeekFrom::Start(5)));
    assert_eq!(SeekFrom::from_whence(-5, 1), Ok(SeekFrom::Current(-5)));
    assert_eq!(SeekFrom::from_whence(-5, 2), Ok(SeekFrom::End(-5)));
    assert_eq!(SeekFrom::from_whence(-1, 0), Err(Error::InvalidArgument));
    assert_eq!(SeekFrom::from_whence(0, 3), Err(Error::InvalidArgument));
}

#[test]
fn seek_resolution() {
    assert_eq!(SeekFrom::Start(7).resolve(3, 10), Ok(7));
    assert_eq!(SeekFrom::Current(-3).resolve(3, 10), Ok(0));
    assert_eq!(
        SeekFrom::Current(-4).resolve(3, 10),
        Err(Error::InvalidArgument)
    );
    assert_eq!(SeekFrom::End(5).resolve(0, 10), Ok(15));
    assert_eq!(
        SeekFrom::End(-11).resolve(0, 10),
        Err(Error::InvalidArgument)
    );
    assert_eq!(
        SeekFrom::Start(u64::MAX).resolve(0, 0),
        Err(Error::InvalidArgument)
    );
    assert_eq!(
        SeekFrom::Current(i64::MAX).resolve(1, 0),
        Err(Error::InvalidArgument)
    );
    assert_eq!(
        SeekFrom::Start(i64::MAX as u64).resolve(0, 0),
        Ok(i64::MAX as u64)
    );
}
