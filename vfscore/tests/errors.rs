//! Tests of the errno mapping of `Error`.
use vfscore::{Error, ALL_ERRORS};

#[test]
fn errno_values_are_linux() {
    let expected = [
        (Error::NotFound, 2),
        (Error::Io, 5),
        (Error::BadDescriptor, 9),
        (Error::PermissionDenied, 13),
        (Error::Busy, 16),
        (Error::AlreadyExists, 17),
        (Error::CrossDevice, 18),
        (Error::NotADirectory, 20),
        (Error::IsADirectory, 21),
        (Error::InvalidArgument, 22),
        (Error::TooManyOpenFiles, 24),
        (Error::NoSpace, 28),
        (Error::ReadOnly, 30),
        (Error::NameTooLong, 36),
        (Error::Unsupported, 38),
        (Error::DirectoryNotEmpty, 39),
    ];
    assert_eq!(expected.len(), ALL_ERRORS.len());
    for (error, errno) in expected {
        assert_eq!(error.errno(), errno, "{error:?}");
        assert_eq!(Error::from_errno(errno), Some(error));
    }
}

#[test]
fn every_error_round_trips_and_errnos_are_distinct() {
    for error in ALL_ERRORS {
        assert_eq!(Error::from_errno(error.errno()), Some(error));
        assert!(!error.to_string().is_empty());
    }
    let mut values: Vec<i32> = ALL_ERRORS.iter().map(|error| error.errno()).collect();
    values.sort_unstable();
    values.dedup();
    assert_eq!(values.len(), ALL_ERRORS.len());
}

#[test]
fn unknown_errno_is_none() {
    for errno in [0, 1, 3, -2, 95, 4096, i32::MIN, i32::MAX] {
        assert_eq!(Error::from_errno(errno), None, "{errno}");
    }
}

#[test]
fn display_reads_like_strerror() {
    assert_eq!(Error::NotFound.to_string(), "No such file or directory");
    assert_eq!(Error::NoSpace.to_string(), "No space left on device");
    assert_eq!(Error::ReadOnly.to_string(), "Read-only file system");
}
