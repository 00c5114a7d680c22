//! The macro itself: a directory of Python modules frozen through the wrapper comes out sorted.
use rustpython_compiler_core::frozen::FrozenLib;

static FROZEN: &FrozenLib =
    rustpython_derive::py_freeze!(dir = "fixtures", crate_name = "rustpython_compiler_core");

#[test]
fn frozen_modules_are_in_name_order() {
    let names: Vec<&str> = FROZEN.decode().map(|(name, _)| name).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
    assert!(names.contains(&"package"));
    assert!(names.contains(&"package.gamma"));
    assert_eq!(names.len(), 14);
}
