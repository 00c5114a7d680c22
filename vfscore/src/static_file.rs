//! A read-only open file over bytes that live for the whole run (e.g. an initfs entry).
use alloc::boxed::Box;

use crate::{Error, Metadata, OpenFile, SeekFrom};

/// A read-only [`OpenFile`] over a `'static` byte slice, without copying it.
///
/// Writing gives [`Error::BadDescriptor`] and truncating [`Error::InvalidArgument`] (the
/// handle is not open for writing); a read-only file system refuses write opens with
/// [`Error::ReadOnly`] before such a handle exists.
#[derive(Clone, Debug)]
pub struct StaticFile {
    data: &'static [u8],
    metadata: Metadata,
    position: u64,
}

impl StaticFile {
    /// A handle at position 0 over `data`; `metadata` is reported as is, except that its
    /// `size` is set to the length of `data`.
    pub fn new(data: &'static [u8], metadata: Metadata) -> StaticFile {
        StaticFile {
            data,
            metadata: Metadata {
                size: data.len() as u64,
                ..metadata
            },
            position: 0,
        }
    }
}

impl OpenFile for StaticFile {
    fn read(&mut self, buffer: &mut [u8]) -> Result<usize, Error> {
        let start = usize::try_from(self.position).unwrap_or(usize::MAX);
        let available = self.data.get(start..).unwrap_or(&[]);
        let count = available.len().min(buffer.len());
        buffer[..count].copy_from_slice(&available[..count]);
        self.position += count as u64;
        Ok(count)
    }

    fn write(&mut self, _data: &[u8]) -> Result<usize, Error> {
        Err(Error::BadDescriptor)
    }

    fn seek(&mut self, position: SeekFrom) -> Result<u64, Error> {
        self.position = position.resolve(self.position, self.data.len() as u64)?;
        Ok(self.position)
    }

    fn metadata(&self) -> Result<Metadata, Error> {
        Ok(self.metadata)
    }

    fn truncate(&mut self, _size: u64) -> Result<(), Error> {
        Err(Error::InvalidArgument)
    }

    fn flush(&mut self) -> Result<(), Error> {
        Ok(())
    }

    fn close(self: Box<Self>) -> Result<(), Error> {
        Ok(())
    }
}
