//! String descriptors (USB 2.0 section 9.6.7): UTF-16LE text and the language ID list.

use alloc::string::String;
use alloc::vec::Vec;

use crate::descriptor::{checked_descriptor, descriptor_type};
use crate::error::DescriptorError;

/// Language ID for English (United States), the one nearly every device offers.
pub const LANGUAGE_ENGLISH_US: u16 = 0x0409;

/// The UTF-16 code units of the string descriptor at the start of `bytes`.
///
/// An odd trailing byte (a malformed `bLength`) is ignored.
fn code_units(bytes: &[u8]) -> Result<impl Iterator<Item = u16> + '_, DescriptorError> {
    let descriptor = checked_descriptor(bytes, 0, Some(descriptor_type::STRING), 2)?;
    Ok(descriptor
        .get(2..)
        .unwrap_or(&[])
        .chunks_exact(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]])))
}

/// Decodes a string descriptor (any index but 0) into text.
///
/// Unpaired surrogates become U+FFFD; trailing NUL characters, which some devices pad with,
/// are dropped.
pub fn parse_string(bytes: &[u8]) -> Result<String, DescriptorError> {
    let units = code_units(bytes)?;
    let mut text: String = char::decode_utf16(units)
        .map(|decoded| decoded.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    while text.ends_with('\0') {
        text.pop();
    }
    Ok(text)
}

/// Decodes string descriptor 0: the language IDs the device's strings come in.
pub fn parse_language_ids(bytes: &[u8]) -> Result<Vec<u16>, DescriptorError> {
    Ok(code_units(bytes)?.collect())
}
