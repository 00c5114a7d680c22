//! rustpython-derive as published, except that its output no longer follows `HashMap` order.
//!
//! Two of the published macros emit items in the iteration order of a `std::collections::HashMap`,
//! which is seeded at random in every compiler process, so two clean builds of the same source
//! produced different kernels:
//! - RustPython's freezing macro compiles a directory of Python modules into one `FrozenLib`
//!   blob, collecting the modules in a map: [`py_freeze!`](macro@py_freeze) here decodes the blob
//!   the original produced and encodes the same modules again in name order. Each module's
//!   bytecode stays byte for byte as compiled.
//! - `#[pyclass]` (and `#[pyexception]`) on an `impl` block keep the class's properties
//!   (`#[pygetset]`) in a map and emit one block per property in its order: here the run of
//!   property blocks in the expansion is put in name order. Each block stays token for token.
//!
//! Every macro forwards to the published rustpython-derive-impl 0.6.0, exactly as the published
//! rustpython-derive 0.6.0 does.
#![forbid(unsafe_code)]

use proc_macro::TokenStream;
use proc_macro2::{Delimiter, Literal, TokenTree};
use rustpython_compiler_core::frozen::{FrozenLib, FrozenModule};
use rustpython_derive_impl as derive_impl;
use std::collections::BTreeMap;
use syn::{parse_macro_input, punctuated::Punctuated};

/// `#[derive(FromArgs)]`.
#[proc_macro_derive(FromArgs, attributes(pyarg))]
pub fn derive_from_args(input: TokenStream) -> TokenStream {
    derive_impl::derive_from_args(parse_macro_input!(input)).into()
}

/// `#[pyclass]`.
#[proc_macro_attribute]
pub fn pyclass(attributes: TokenStream, item: TokenStream) -> TokenStream {
    let attributes = parse_macro_input!(attributes with Punctuated::parse_terminated);
    sort_getset_blocks(derive_impl::pyclass(attributes, parse_macro_input!(item))).into()
}

/// `#[pyexception]`.
#[proc_macro_attribute]
pub fn pyexception(attributes: TokenStream, item: TokenStream) -> TokenStream {
    let attributes = parse_macro_input!(attributes with Punctuated::parse_terminated);
    sort_getset_blocks(derive_impl::pyexception(
        attributes,
        parse_macro_input!(item),
    ))
    .into()
}

/// `#[pymodule]`.
#[proc_macro_attribute]
pub fn pymodule(attributes: TokenStream, item: TokenStream) -> TokenStream {
    let attributes = parse_macro_input!(attributes as derive_impl::PyModuleArgs);
    derive_impl::pymodule(attributes, parse_macro_input!(item)).into()
}

/// `#[pystruct_sequence]`.
#[proc_macro_attribute]
pub fn pystruct_sequence(attributes: TokenStream, item: TokenStream) -> TokenStream {
    let attributes = parse_macro_input!(attributes with Punctuated::parse_terminated);
    derive_impl::pystruct_sequence(attributes, parse_macro_input!(item)).into()
}

/// `#[pystruct_sequence_data]`.
#[proc_macro_attribute]
pub fn pystruct_sequence_data(attributes: TokenStream, item: TokenStream) -> TokenStream {
    let attributes = parse_macro_input!(attributes with Punctuated::parse_terminated);
    derive_impl::pystruct_sequence_data(attributes, parse_macro_input!(item)).into()
}

/// `#[derive(PyPayload)]`.
#[proc_macro_derive(PyPayload)]
pub fn pypayload(input: TokenStream) -> TokenStream {
    derive_impl::pypayload(parse_macro_input!(input)).into()
}

/// `#[derive(Traverse)]`.
#[proc_macro_derive(Traverse, attributes(pytraverse))]
pub fn pytraverse(item: TokenStream) -> TokenStream {
    derive_impl::pytraverse(parse_macro_input!(item)).into()
}

/// The Python compiler the bytecode macros use: RustPython's, with its default options.
struct Compiler;

impl derive_impl::Compiler for Compiler {
    fn compile(
        &self,
        source: &str,
        mode: rustpython_compiler::Mode,
        module_name: &str,
    ) -> Result<rustpython_compiler::CodeObject, Box<dyn core::error::Error>> {
        let options = rustpython_compiler::CompileOpts::default();
        Ok(rustpython_compiler::compile(
            source,
            mode,
            module_name,
            options,
        )?)
    }
}

/// `py_compile!`: one code object.
#[proc_macro]
pub fn py_compile(input: TokenStream) -> TokenStream {
    derive_impl::py_compile(input.into(), &Compiler).into()
}

/// `py_freeze!`: the published expansion, with the frozen library re-encoded in sorted order.
#[proc_macro]
pub fn py_freeze(input: TokenStream) -> TokenStream {
    sort_frozen_expansion(derive_impl::py_freeze(input.into(), &Compiler)).into()
}

/// Rewrites every byte-string literal in `expansion` that holds a frozen library so that its
/// modules appear sorted by name. Anything else (including a compile error) passes unchanged.
fn sort_frozen_expansion(expansion: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    expansion
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(group) => {
                let mut sorted = proc_macro2::Group::new(
                    group.delimiter(),
                    sort_frozen_expansion(group.stream()),
                );
                sorted.set_span(group.span());
                TokenTree::Group(sorted)
            }
            TokenTree::Literal(literal) => match byte_string_value(&literal) {
                Some(bytes) => match canonical_frozen_lib(&bytes) {
                    Some(sorted) => {
                        let mut replacement = Literal::byte_string(&sorted);
                        replacement.set_span(literal.span());
                        TokenTree::Literal(replacement)
                    }
                    None => TokenTree::Literal(literal),
                },
                None => TokenTree::Literal(literal),
            },
            other => other,
        })
        .collect()
}

/// Puts every run of property blocks in `expansion` in the order of the properties' names.
///
/// A property block is what the published `#[pyclass]` emits per `#[pygetset]` name: its `#[cfg]`
/// attributes, then a `{ ... }` block that creates the descriptor with
/// `PyGetSet::new("name", class, ctx)` and stores it in the class. The blocks follow one another
/// in the map's order; nothing depends on it except the class dictionary's insertion order.
/// Blocks are moved whole, and anything that is not a property block stays where it is.
fn sort_getset_blocks(expansion: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    let trees: Vec<TokenTree> = expansion
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(group) => {
                let mut sorted =
                    proc_macro2::Group::new(group.delimiter(), sort_getset_blocks(group.stream()));
                sorted.set_span(group.span());
                TokenTree::Group(sorted)
            }
            other => other,
        })
        .collect();
    let mut output: Vec<TokenTree> = Vec::with_capacity(trees.len());
    let mut run: Vec<(String, Vec<TokenTree>)> = Vec::new();
    let mut index = 0;
    while index < trees.len() {
        match property_block(&trees[index..]) {
            Some((name, length)) => {
                run.push((name, trees[index..index + length].to_vec()));
                index += length;
            }
            None => {
                flush_run(&mut run, &mut output);
                output.push(trees[index].clone());
                index += 1;
            }
        }
    }
    flush_run(&mut run, &mut output);
    output.into_iter().collect()
}

/// Appends a run of property blocks to `output` sorted by name (then by their `#[cfg]`s).
fn flush_run(run: &mut Vec<(String, Vec<TokenTree>)>, output: &mut Vec<TokenTree>) {
    let mut blocks: Vec<(String, String, Vec<TokenTree>)> = run
        .drain(..)
        .map(|(name, tokens)| {
            let whole = tokens.iter().cloned().collect::<proc_macro2::TokenStream>();
            (name, whole.to_string(), tokens)
        })
        .collect();
    blocks.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    output.extend(blocks.into_iter().flat_map(|(_, _, tokens)| tokens));
}

/// If `trees` starts with a property block, its property name and its length in token trees.
fn property_block(trees: &[TokenTree]) -> Option<(String, usize)> {
    let mut length = 0;
    // `#[...]` attributes (the property's cfgs).
    while let [TokenTree::Punct(hash), TokenTree::Group(attribute), ..] = &trees[length..] {
        if hash.as_char() != '#' || attribute.delimiter() != Delimiter::Bracket {
            return None;
        }
        length += 2;
    }
    let TokenTree::Group(block) = trees.get(length)? else {
        return None;
    };
    if block.delimiter() != Delimiter::Brace {
        return None;
    }
    let name = getset_name(block.stream())?;
    Some((name, length + 1))
}

/// The name in a block's top-level `PyGetSet::new("name", ...)`, as its literal's text.
fn getset_name(block: proc_macro2::TokenStream) -> Option<String> {
    let tokens: Vec<TokenTree> = block.into_iter().collect();
    tokens.windows(5).find_map(|window| match window {
        [TokenTree::Ident(ty), TokenTree::Punct(colon1), TokenTree::Punct(colon2), TokenTree::Ident(new), TokenTree::Group(arguments)]
            if ty == "PyGetSet"
                && colon1.as_char() == ':'
                && colon2.as_char() == ':'
                && new == "new"
                && arguments.delimiter() == Delimiter::Parenthesis =>
        {
            match arguments.stream().into_iter().next()? {
                TokenTree::Literal(name) => Some(name.to_string()),
                _ => None,
            }
        }
        _ => None,
    })
}

/// The bytes of a `b"..."` literal, if `literal` is one.
fn byte_string_value(literal: &Literal) -> Option<Vec<u8>> {
    match syn::Lit::new(literal.clone()) {
        syn::Lit::ByteStr(bytes) => Some(bytes.value()),
        _ => None,
    }
}

/// Re-encodes a frozen library with its modules in name order; `None` if `bytes` is not one.
///
/// The check is strict (the entry count and every length must account for every byte) so that
/// no other byte string of an expansion is ever mistaken for a library.
fn canonical_frozen_lib(bytes: &[u8]) -> Option<Vec<u8>> {
    let entries = parse_entries(bytes)?;
    let modules: BTreeMap<&str, FrozenModule<&[u8]>> = entries.into_iter().collect();
    if modules.len() != parse_entries(bytes)?.len() {
        // Duplicate names: re-encoding would drop one; leave the blob alone.
        return None;
    }
    Some(FrozenLib::encode(modules.iter().map(|(name, module)| (*name, *module))).bytes)
}

/// One module of a frozen library: its name and its code.
type Entry<'a> = (&'a str, FrozenModule<&'a [u8]>);

/// The entries of a frozen library: a little-endian `u32` count, then per module a `u32`
/// name length, the UTF-8 name, a `u32` code length, the code bytes and a package flag byte.
fn parse_entries(bytes: &[u8]) -> Option<Vec<Entry<'_>>> {
    fn take<'a>(rest: &mut &'a [u8], count: usize) -> Option<&'a [u8]> {
        if rest.len() < count {
            return None;
        }
        let (head, tail) = rest.split_at(count);
        *rest = tail;
        Some(head)
    }
    fn take_u32(rest: &mut &[u8]) -> Option<usize> {
        let word: [u8; 4] = take(rest, 4)?.try_into().ok()?;
        usize::try_from(u32::from_le_bytes(word)).ok()
    }
    let mut rest = bytes;
    let count = take_u32(&mut rest)?;
    let mut entries = Vec::new();
    for _ in 0..count {
        let name_length = take_u32(&mut rest)?;
        let name = std::str::from_utf8(take(&mut rest, name_length)?).ok()?;
        let code_length = take_u32(&mut rest)?;
        let code = take(&mut rest, code_length)?;
        let package = match take(&mut rest, 1)? {
            [0] => false,
            [1] => true,
            _ => return None,
        };
        entries.push((
            name,
            FrozenModule {
                code: rustpython_compiler_core::frozen::FrozenCodeObject { bytes: code },
                package,
            },
        ));
    }
    rest.is_empty().then_some(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustpython_compiler_core::frozen::FrozenCodeObject;
    use std::collections::HashMap;
    use std::process::Command;

    /// Set in the child processes: print the raw and the sorted encoding and exit.
    const CHILD: &str = "PIPYOS_FREEZE_CHILD";

    /// Encodes 64 modules the way the published macro does: from a `HashMap`, in its order.
    fn encode_like_the_macro() -> Vec<u8> {
        let mut modules: HashMap<String, (Vec<u8>, bool)> = HashMap::new();
        for index in 0..64u32 {
            let name = format!("package{}.module{index}", index % 5);
            let code = index.to_le_bytes().repeat(1 + index as usize % 7);
            modules.insert(name, (code, index % 9 == 0));
        }
        FrozenLib::encode(modules.iter().map(|(name, (code, package))| {
            (
                name.as_str(),
                FrozenModule {
                    code: FrozenCodeObject {
                        bytes: code.as_slice(),
                    },
                    package: *package,
                },
            )
        }))
        .bytes
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    #[test]
    fn two_processes_give_the_same_bytes() {
        if std::env::var_os(CHILD).is_some() {
            let raw = encode_like_the_macro();
            let sorted = canonical_frozen_lib(&raw).expect("a frozen lib");
            println!("RAW {}", hex(&raw));
            println!("SORTED {}", hex(&sorted));
            return;
        }
        let run = || {
            let output = Command::new(std::env::current_exe().expect("test binary"))
                .args([
                    "--exact",
                    "tests::two_processes_give_the_same_bytes",
                    "--nocapture",
                ])
                .env(CHILD, "1")
                .output()
                .expect("run the child");
            assert!(output.status.success());
            let text = String::from_utf8(output.stdout).expect("utf-8");
            let field = |tag: &str| {
                text.lines()
                    .find_map(|line| line.strip_prefix(tag))
                    .expect("child output")
                    .to_owned()
            };
            (field("RAW "), field("SORTED "))
        };
        let runs: Vec<(String, String)> = (0..4).map(|_| run()).collect();
        // HashMap order is seeded per process: the raw encodings (what the published macro
        // emits) differ between processes, which is what this crate fixes.
        assert!(runs.iter().any(|(raw, _)| *raw != runs[0].0));
        for (_, sorted) in &runs {
            assert_eq!(*sorted, runs[0].1);
        }
    }

    #[test]
    fn sorting_keeps_every_module_unchanged() {
        let raw = encode_like_the_macro();
        let sorted = canonical_frozen_lib(&raw).expect("a frozen lib");
        assert_eq!(sorted.len(), raw.len());
        let names: Vec<&str> = FrozenLib::from_ref(sorted.as_slice())
            .decode()
            .map(|(name, _)| name)
            .collect();
        let mut expected = names.clone();
        expected.sort_unstable();
        assert_eq!(names, expected);
        let original: HashMap<&str, (&[u8], bool)> = FrozenLib::from_ref(raw.as_slice())
            .decode()
            .map(|(name, module)| (name, (module.code.bytes, module.package)))
            .collect();
        for (name, module) in FrozenLib::from_ref(sorted.as_slice()).decode() {
            assert_eq!(original[name], (module.code.bytes, module.package));
        }
    }

    #[test]
    fn other_byte_strings_are_left_alone() {
        assert_eq!(canonical_frozen_lib(b""), None);
        assert_eq!(canonical_frozen_lib(b"hello"), None);
        let mut raw = encode_like_the_macro();
        raw.push(0);
        assert_eq!(canonical_frozen_lib(&raw), None);
        raw.truncate(raw.len() - 2);
        assert_eq!(canonical_frozen_lib(&raw), None);
    }

    /// Expands `#[pyclass]` on an `impl` block with 24 properties, as the published macro does.
    fn expand_class_like_the_macro() -> proc_macro2::TokenStream {
        let getters = (0..24).map(|index| {
            let getter = proc_macro2::Ident::new(
                &format!("property{index:02}"),
                proc_macro2::Span::call_site(),
            );
            if index % 5 == 0 {
                // A property with a setter and a cfg, as some of RustPython's have.
                let setter = proc_macro2::Ident::new(
                    &format!("set_property{index:02}"),
                    proc_macro2::Span::call_site(),
                );
                quote::quote! {
                    #[cfg(feature = "threading")]
                    #[pygetset]
                    fn #getter(zelf: &Py<Self>) -> u32 { 0 }
                    #[cfg(feature = "threading")]
                    #[pygetset(setter)]
                    fn #setter(zelf: &Py<Self>, value: u32) {}
                }
            } else {
                quote::quote! {
                    #[pygetset]
                    fn #getter(zelf: &Py<Self>) -> u32 { 0 }
                }
            }
        });
        let item: syn::Item = syn::parse_quote! {
            impl Example {
                #[pymethod]
                fn method(zelf: &Py<Self>) {}
                #(#getters)*
            }
        };
        derive_impl::pyclass(Punctuated::new(), item)
    }

    #[test]
    fn properties_come_out_in_the_same_order_in_every_process() {
        if std::env::var_os(CHILD).is_some() {
            let raw = expand_class_like_the_macro();
            println!("RAW {raw}");
            println!("SORTED {}", sort_getset_blocks(raw.clone()));
            return;
        }
        let run = || {
            let output = Command::new(std::env::current_exe().expect("test binary"))
                .args([
                    "--exact",
                    "tests::properties_come_out_in_the_same_order_in_every_process",
                    "--nocapture",
                ])
                .env(CHILD, "1")
                .output()
                .expect("run the child");
            assert!(output.status.success());
            let text = String::from_utf8(output.stdout).expect("utf-8");
            let field = |tag: &str| {
                text.lines()
                    .find_map(|line| line.strip_prefix(tag))
                    .expect("child output")
                    .to_owned()
            };
            (field("RAW "), field("SORTED "))
        };
        let runs: Vec<(String, String)> = (0..4).map(|_| run()).collect();
        assert!(runs.iter().any(|(raw, _)| *raw != runs[0].0));
        for (_, sorted) in &runs {
            assert_eq!(*sorted, runs[0].1);
        }
    }

    #[test]
    fn property_blocks_are_moved_whole_and_nothing_else_moves() {
        let raw = expand_class_like_the_macro();
        let sorted = sort_getset_blocks(raw.clone()).to_string();
        let raw = raw.to_string();
        // Same tokens, only reordered.
        let mut raw_tokens: Vec<&str> = raw.split_whitespace().collect();
        let mut sorted_tokens: Vec<&str> = sorted.split_whitespace().collect();
        assert_ne!(raw_tokens, sorted_tokens);
        raw_tokens.sort_unstable();
        sorted_tokens.sort_unstable();
        assert_eq!(raw_tokens, sorted_tokens);
        // Properties in name order, each with its own setter and cfg.
        let positions: Vec<usize> = (0..24)
            .map(|index| {
                sorted
                    .find(&format!("PyGetSet :: new (\"property{index:02}\""))
                    .expect("every property")
            })
            .collect();
        assert!(positions.windows(2).all(|pair| pair[0] < pair[1]));
        let block_of_0 = &sorted[positions[0]..positions[1]];
        assert!(block_of_0.contains("set_property00"));
        // The method is still registered (in its place).
        assert!(sorted.contains("\"method\""));
    }

    #[test]
    fn other_expansions_are_left_alone() {
        let tokens = quote::quote! {
            #[cfg(x)] { let a = PyGetSet::new; } { other(); } #[inline] fn f() {}
        };
        assert_eq!(
            sort_getset_blocks(tokens.clone()).to_string(),
            tokens.to_string()
        );
    }
}
