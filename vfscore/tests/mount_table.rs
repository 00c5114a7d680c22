//! Tests of `MountTable`: resolution by longest prefix, view directories, mount and umount.
use vfscore::{Error, MountTable};

fn table(mount_points: &[&str]) -> MountTable<usize> {
    let mut table = MountTable::new();
    for (index, mount_point) in mount_points.iter().enumerate() {
        table.mount(mount_point, index).unwrap();
    }
    table
}

fn resolve<'p>(table: &MountTable<usize>, path: &'p str) -> Option<(String, usize, &'p str)> {
    table
        .resolve(path)
        .map(|found| (found.mount_point.to_owned(), *found.target, found.relative))
}

#[test]
fn longest_prefix_wins() {
    let table = table(&["/", "/data", "/data/cache", "/mnt/sd"]);
    assert_eq!(resolve(&table, "/"), Some(("/".into(), 0, "/")));
    assert_eq!(resolve(&table, "/etc/x"), Some(("/".into(), 0, "/etc/x")));
    assert_eq!(resolve(&table, "/data"), Some(("/data".into(), 1, "/")));
    assert_eq!(resolve(&table, "/data/x"), Some(("/data".into(), 1, "/x")));
    assert_eq!(
        resolve(&table, "/data/cache/a/b"),
        Some(("/data/cache".into(), 2, "/a/b"))
    );
    assert_eq!(
        resolve(&table, "/data/cached"),
        Some(("/data".into(), 1, "/cached"))
    );
    assert_eq!(resolve(&table, "/mnt"), Some(("/".into(), 0, "/mnt")));
    assert_eq!(
        resolve(&table, "/mnt/sd/f"),
        Some(("/mnt/sd".into(), 3, "/f"))
    );
}

#[test]
fn component_boundaries() {
    let table = table(&["/data"]);
    assert_eq!(resolve(&table, "/database"), None);
    assert_eq!(resolve(&table, "/dat"), None);
    assert_eq!(resolve(&table, "/data"), Some(("/data".into(), 0, "/")));
    assert_eq!(resolve(&table, "/"), None);
    let table = self::table(&["/", "/data"]);
    assert_eq!(
        resolve(&table, "/database"),
        Some(("/".into(), 0, "/database"))
    );
}

#[test]
fn unnormalized_paths_resolve_to_nothing() {
    let table = table(&["/", "/data"]);
    for path in ["", "data", "/data/", "/data/../x", "//data"] {
        assert!(table.resolve(path).is_none(), "{path:?}");
    }
}

#[test]
fn view_directories() {
    let table = table(&["/mnt/sd", "/mnt/usb/disk"]);
    for path in ["/", "/mnt", "/mnt/sd", "/mnt/usb", "/mnt/usb/disk"] {
        assert!(table.is_view_directory(path), "{path}");
    }
    for path in ["/mn", "/mnt/s", "/mnt/sd/x", "/mnt/usb/d", "/other"] {
        assert!(!table.is_view_directory(path), "{path}");
    }
    assert!(MountTable::<usize>::new().is_view_directory("/"));
    assert_eq!(table.child_names("/"), ["mnt"]);
    assert_eq!(table.child_names("/mnt"), ["sd", "usb"]);
    assert_eq!(table.child_names("/mnt/usb"), ["disk"]);
    assert!(table.child_names("/mnt/sd").is_empty());
    assert!(table.child_names("/elsewhere").is_empty());
    assert!(table.has_mounts_below("/mnt"));
    assert!(!table.has_mounts_below("/mnt/sd"));
}

#[test]
fn root_mount_is_not_its_own_child() {
    let table = table(&["/", "/a", "/b/c"]);
    assert_eq!(table.child_names("/"), ["a", "b"]);
}

#[test]
fn mount_errors() {
    let mut table = table(&["/data"]);
    assert_eq!(table.mount("/data", 9), Err(Error::Busy));
    assert_eq!(table.mount("data", 9), Err(Error::InvalidArgument));
    assert_eq!(table.mount("/data/", 9), Err(Error::InvalidArgument));
    assert_eq!(table.mount("/a/../b", 9), Err(Error::InvalidArgument));
    assert_eq!(table.mount("", 9), Err(Error::InvalidArgument));
    assert_eq!(
        table.mount(&format!("/{}", "x".repeat(300)), 9),
        Err(Error::NameTooLong)
    );
    assert_eq!(table.get("/data"), Some(&0));
    assert_eq!(table.len(), 1);
}

#[test]
fn umount() {
    let mut table = table(&["/", "/a", "/a/b"]);
    assert_eq!(table.umount("/x"), Err(Error::InvalidArgument));
    assert_eq!(table.umount("/a"), Err(Error::Busy));
    assert_eq!(table.umount("/"), Err(Error::Busy));
    assert_eq!(table.umount("/a/b"), Ok(2));
    assert_eq!(table.umount("/a/b"), Err(Error::InvalidArgument));
    assert_eq!(resolve(&table, "/a/b/c"), Some(("/a".into(), 1, "/b/c")));
    assert_eq!(table.umount("/a"), Ok(1));
    assert_eq!(table.umount("/"), Ok(0));
    assert!(table.is_empty());
    assert!(table.resolve("/").is_none());
    // The same mount point can be used again.
    table.mount("/a", 7).unwrap();
    assert_eq!(resolve(&table, "/a"), Some(("/a".into(), 7, "/")));
}

#[test]
fn iteration_and_access() {
    let mut table = table(&["/z", "/", "/m"]);
    assert_eq!(table.mount_points().collect::<Vec<_>>(), ["/", "/m", "/z"]);
    assert_eq!(
        table
            .iter()
            .map(|(point, value)| (point, *value))
            .collect::<Vec<_>>(),
        [("/", 1), ("/m", 2), ("/z", 0)]
    );
    for (_, value) in table.iter_mut() {
        *value += 10;
    }
    *table.get_mut("/m").unwrap() += 1;
    assert_eq!(table.get("/m"), Some(&13));
    assert!(table.is_mount_point("/z"));
    assert!(!table.is_mount_point("/y"));
}
