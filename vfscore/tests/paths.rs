//! Tests of path normalisation, checks, splitting and prefixes.
use vfscore::path::{
    check, components, is_normalized, is_strictly_within, is_within, join, normalize, split_parent,
    strip_prefix, validate_name, MAX_NAME, MAX_PATH,
};
use vfscore::Error;

#[test]
fn normalize_absolute_paths() {
    let cases = [
        ("/", "/"),
        ("//", "/"),
        ("/a", "/a"),
        ("/a/", "/a"),
        ("//a//b///", "/a/b"),
        ("/a/./b/.", "/a/b"),
        ("/a/b/..", "/a"),
        ("/a/b/../..", "/"),
        ("/..", "/"),
        ("/../../..", "/"),
        ("/../a/../../b", "/b"),
        ("/.", "/"),
        ("/a/.../b", "/a/.../b"),
        ("/a/..b/c.", "/a/..b/c."),
        ("/ spaced /name", "/ spaced /name"),
        ("/ünïcödé/名前", "/ünïcödé/名前"),
    ];
    for (input, expected) in cases {
        assert_eq!(
            normalize("/ignored", input).as_deref(),
            Ok(expected),
            "{input}"
        );
    }
}

#[test]
fn normalize_relative_paths() {
    let cases = [
        ("/home", "a", "/home/a"),
        ("/home", "./a", "/home/a"),
        ("/home", "..", "/"),
        ("/home", "../..", "/"),
        ("/home/user", "../other/./x", "/home/other/x"),
        ("/", "a/b/", "/a/b"),
        ("/", ".", "/"),
        ("/home", ".", "/home"),
        ("home", "x", "/home/x"),
        ("/a//b/", "c", "/a/b/c"),
    ];
    for (current, input, expected) in cases {
        assert_eq!(
            normalize(current, input).as_deref(),
            Ok(expected),
            "{current} + {input}"
        );
    }
}

#[test]
fn normalize_errors() {
    assert_eq!(normalize("/", ""), Err(Error::NotFound));
    assert_eq!(normalize("/", "a\0b"), Err(Error::InvalidArgument));
    assert_eq!(normalize("/x\0", "a"), Err(Error::InvalidArgument));
    let long_name = "n".repeat(MAX_NAME + 1);
    assert_eq!(
        normalize("/", &format!("/{long_name}")),
        Err(Error::NameTooLong)
    );
    let longest_name = "n".repeat(MAX_NAME);
    assert!(normalize("/", &format!("/{longest_name}")).is_ok());
    // A long name that `..` removes again still counts as too long.
    assert_eq!(
        normalize("/", &format!("/{long_name}/..")),
        Err(Error::NameTooLong)
    );
    let long_path = "/a".repeat(MAX_PATH / 2 + 1);
    assert_eq!(normalize("/", &long_path), Err(Error::NameTooLong));
    let exact_path = "/a".repeat(MAX_PATH / 2);
    assert_eq!(
        normalize("/", &exact_path).as_deref(),
        Ok(exact_path.as_str())
    );
    // The input may be long as long as the result is short enough, and vice versa.
    let current = format!("/{}", "c".repeat(200)).repeat(21);
    assert_eq!(normalize(&current, "x"), Err(Error::NameTooLong));
    assert_eq!(normalize(&current, "/x").as_deref(), Ok("/x"));
}

#[test]
fn normalized_results_pass_check() {
    for input in ["/", "a/b", "../x/./y//", "/.."] {
        let normalized = normalize("/c/d", input).unwrap();
        assert!(is_normalized(&normalized), "{normalized}");
    }
}

#[test]
fn check_rejects_unnormalized() {
    for path in [
        "", "a", "a/b", "//", "/a/", "/a//b", "/.", "/a/..", "/a/./b", "/a\0",
    ] {
        assert_eq!(check(path), Err(Error::InvalidArgument), "{path:?}");
    }
    for path in ["/", "/a", "/a/b", "/a/.b", "/...", "/a b"] {
        assert_eq!(check(path), Ok(()), "{path:?}");
    }
    assert_eq!(
        check(&format!("/{}", "x".repeat(MAX_NAME + 1))),
        Err(Error::NameTooLong)
    );
    assert_eq!(check(&"/a".repeat(MAX_PATH)), Err(Error::NameTooLong));
}

#[test]
fn names() {
    for name in ["", ".", "..", "a/b", "/", "a\0"] {
        assert_eq!(validate_name(name), Err(Error::InvalidArgument), "{name:?}");
    }
    assert_eq!(validate_name(&"x".repeat(256)), Err(Error::NameTooLong));
    assert_eq!(validate_name(&"x".repeat(255)), Ok(()));
    assert_eq!(validate_name("..."), Ok(()));
    assert_eq!(validate_name(".hidden"), Ok(()));
}

#[test]
fn splitting_and_joining() {
    assert_eq!(split_parent("/"), None);
    assert_eq!(split_parent("/a"), Some(("/", "a")));
    assert_eq!(split_parent("/a/b"), Some(("/a", "b")));
    assert_eq!(split_parent("/a/b/c"), Some(("/a/b", "c")));
    assert_eq!(join("/", "a"), "/a");
    assert_eq!(join("/a", "b"), "/a/b");
    assert_eq!(components("/").count(), 0);
    assert_eq!(components("/a/b").collect::<Vec<_>>(), ["a", "b"]);
}

#[test]
fn prefixes_are_component_wise() {
    assert_eq!(strip_prefix("/data/x", "/data"), Some("/x"));
    assert_eq!(strip_prefix("/data", "/data"), Some("/"));
    assert_eq!(strip_prefix("/database", "/data"), None);
    assert_eq!(strip_prefix("/dat", "/data"), None);
    assert_eq!(strip_prefix("/anything/here", "/"), Some("/anything/here"));
    assert_eq!(strip_prefix("/", "/"), Some("/"));
    assert!(is_within("/a/b", "/a"));
    assert!(is_within("/a", "/a"));
    assert!(!is_within("/ab", "/a"));
    assert!(is_strictly_within("/a/b", "/a"));
    assert!(!is_strictly_within("/a", "/a"));
    assert!(is_strictly_within("/a", "/"));
    assert!(!is_strictly_within("/", "/"));
}
