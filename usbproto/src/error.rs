//! Why a descriptor or a device reply could not be parsed.

use core::fmt;

/// Why bytes from a device were rejected.
///
/// Every parser in this crate returns one of these instead of panicking or looping; `offset`
/// fields count bytes from the start of the buffer that was handed to the parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DescriptorError {
    /// The buffer ends before the fixed part that was being read.
    ShortBuffer {
        /// Where the part starts.
        offset: usize,
        /// How many bytes the part needs.
        needed: usize,
        /// How many bytes were left.
        available: usize,
    },
    /// A descriptor's `bLength` is 0, which would make a walker stand still forever.
    ZeroLength {
        /// Where the descriptor starts.
        offset: usize,
    },
    /// A descriptor's `bLength` is smaller than the 2-byte header or than its type's fixed size.
    LengthTooSmall {
        /// Where the descriptor starts.
        offset: usize,
        /// Its `bDescriptorType` (0 when even the type byte is missing).
        descriptor_type: u8,
        /// Its `bLength`.
        length: u8,
        /// The smallest `bLength` its type allows.
        minimum: u8,
    },
    /// A descriptor's `bLength` runs past the end of the data.
    LengthPastEnd {
        /// Where the descriptor starts.
        offset: usize,
        /// Its `bLength`.
        length: u8,
        /// How many bytes were left from `offset`.
        available: usize,
    },
    /// A descriptor has another `bDescriptorType` than the one asked for.
    WrongType {
        /// Where the descriptor starts.
        offset: usize,
        /// The type the parser wanted.
        expected: u8,
        /// The type found.
        found: u8,
    },
    /// A configuration's `wTotalLength` is smaller than its own 9-byte header.
    TotalLengthTooSmall {
        /// The `wTotalLength` found.
        total_length: u16,
    },
    /// A configuration's `wTotalLength` is larger than the data received.
    TotalLengthPastEnd {
        /// The `wTotalLength` found.
        total_length: u16,
        /// How many bytes were received.
        available: usize,
    },
    /// `bNumInterfaces` differs from the number of distinct interface numbers present.
    InterfaceCountMismatch {
        /// The configuration's `bNumInterfaces`.
        declared: u8,
        /// Distinct `bInterfaceNumber` values found.
        found: usize,
    },
    /// An interface's `bNumEndpoints` differs from the endpoint descriptors that follow it.
    EndpointCountMismatch {
        /// The interface's `bInterfaceNumber`.
        interface: u8,
        /// The interface's `bAlternateSetting`.
        alternate_setting: u8,
        /// Its `bNumEndpoints`.
        declared: u8,
        /// Endpoint descriptors found before the next interface or the end.
        found: usize,
    },
    /// An endpoint descriptor comes before any interface descriptor.
    EndpointOutsideInterface {
        /// Where the endpoint descriptor starts.
        offset: usize,
    },
}

impl fmt::Display for DescriptorError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::ShortBuffer {
                offset,
                needed,
                available,
            } => write!(
                formatter,
                "buffer too short at offset {offset}: need {needed} bytes, have {available}"
            ),
            Self::ZeroLength { offset } => {
                write!(formatter, "descriptor at offset {offset} has bLength 0")
            }
            Self::LengthTooSmall {
                offset,
                descriptor_type,
                length,
                minimum,
            } => write!(
                formatter,
                "descriptor type {descriptor_type:#04x} at offset {offset} has bLength {length}, \
                 below the minimum {minimum}"
            ),
            Self::LengthPastEnd {
                offset,
                length,
                available,
            } => write!(
                formatter,
                "descriptor at offset {offset} has bLength {length} but only {available} bytes \
                 remain"
            ),
            Self::WrongType {
                offset,
                expected,
                found,
            } => write!(
                formatter,
                "descriptor at offset {offset} has type {found:#04x}, expected {expected:#04x}"
            ),
            Self::TotalLengthTooSmall { total_length } => write!(
                formatter,
                "configuration wTotalLength {total_length} is smaller than its 9-byte header"
            ),
            Self::TotalLengthPastEnd {
                total_length,
                available,
            } => write!(
                formatter,
                "configuration wTotalLength {total_length} exceeds the {available} bytes received"
            ),
            Self::InterfaceCountMismatch { declared, found } => write!(
                formatter,
                "configuration declares {declared} interfaces but {found} are present"
            ),
            Self::EndpointCountMismatch {
                interface,
                alternate_setting,
                declared,
                found,
            } => write!(
                formatter,
                "interface {interface} alternate setting {alternate_setting} declares {declared} \
                 endpoints but {found} are present"
            ),
            Self::EndpointOutsideInterface { offset } => write!(
                formatter,
                "endpoint descriptor at offset {offset} precedes every interface descriptor"
            ),
        }
    }
}

/// Why a HID boot report was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportError {
    /// The report is shorter than its boot-protocol layout.
    TooShort {
        /// Bytes received.
        length: usize,
        /// Bytes the layout needs.
        minimum: usize,
    },
    /// A keyboard reported ErrorRollOver (too many keys at once) or another error code in its
    /// key slots: the report says nothing about which keys are down, so it was ignored and the
    /// previous state kept.
    Rollover,
}

impl fmt::Display for ReportError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::TooShort { length, minimum } => write!(
                formatter,
                "report of {length} bytes is shorter than the {minimum} bytes of its layout"
            ),
            Self::Rollover => formatter.write_str("keyboard reported roll-over (phantom state)"),
        }
    }
}
