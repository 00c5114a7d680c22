//! A byte stream (`Read + Write + Seek`, what `fatfs` wants) over a partition of a block
//! device, with a one-block write-back cache and an access budget per file-system call.
use std::cell::{Cell, RefCell};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::rc::Rc;

use crate::{BlockError, SharedDevice, BLOCK_SIZE};

/// The block held in the cache.
struct Cached {
    block: u64,
    data: [u8; BLOCK_SIZE],
    dirty: bool,
}

/// A partition of a shared block device as a byte stream.
pub struct BlockStream {
    device: SharedDevice,
    first_block: u64,
    block_count: u64,
    position: u64,
    cache: Rc<RefCell<Option<Cached>>>,
    budget: Rc<Cell<u64>>,
}

/// Writes a [`BlockStream`]'s cached block back from outside (the stream itself belongs to
/// the fatfs file system).
pub(crate) struct Flusher {
    device: SharedDevice,
    first_block: u64,
    cache: Rc<RefCell<Option<Cached>>>,
}

impl Flusher {
    /// Writes the cached block if it changed, then flushes the device.
    pub(crate) fn flush(&self) -> io::Result<()> {
        write_back(&self.device, self.first_block, &mut self.cache.borrow_mut())?;
        self.device.borrow_mut().flush().map_err(block_error)
    }
}

fn write_back(
    device: &SharedDevice,
    first_block: u64,
    cache: &mut Option<Cached>,
) -> io::Result<()> {
    if let Some(cached) = cache {
        if cached.dirty {
            device
                .borrow_mut()
                .write_blocks(first_block + cached.block, &cached.data)
                .map_err(block_error)?;
            cached.dirty = false;
        }
    }
    Ok(())
}

/// The io error of a failed block transfer (the volume turns it into `EIO`).
fn block_error(error: BlockError) -> io::Error {
    io::Error::other(format!("SD card: {error}"))
}

/// What the budget's exhaustion says.
pub(crate) const LOOP_MESSAGE: &str = "the FAT looks corrupt (a cluster chain loops)";

impl BlockStream {
    /// The blocks `[first_block, first_block + block_count)` of `device`.
    pub fn new(device: SharedDevice, first_block: u64, block_count: u64) -> BlockStream {
        BlockStream {
            device,
            first_block,
            block_count,
            position: 0,
            cache: Rc::new(RefCell::new(None)),
            budget: Rc::new(Cell::new(u64::MAX)),
        }
    }

    /// Bytes in the partition.
    pub fn len(&self) -> u64 {
        self.block_count * BLOCK_SIZE as u64
    }

    /// True for an empty partition.
    pub fn is_empty(&self) -> bool {
        self.block_count == 0
    }

    /// The budget counter shared with the volume (reset before each file-system call).
    pub(crate) fn budget(&self) -> Rc<Cell<u64>> {
        Rc::clone(&self.budget)
    }

    /// A handle that writes the cache back.
    pub(crate) fn flusher(&self) -> Flusher {
        Flusher {
            device: Rc::clone(&self.device),
            first_block: self.first_block,
            cache: Rc::clone(&self.cache),
        }
    }

    /// Takes one access from the budget.
    fn spend(&self) -> io::Result<()> {
        match self.budget.get() {
            0 => Err(io::Error::other(LOOP_MESSAGE)),
            left => {
                self.budget.set(left - 1);
                Ok(())
            }
        }
    }

    /// Writes the cached block back if it changed.
    fn write_back(&mut self) -> io::Result<()> {
        write_back(&self.device, self.first_block, &mut self.cache.borrow_mut())
    }

    /// Makes `block` the cached one, and runs `f` on it.
    fn with_block<R>(&mut self, block: u64, f: impl FnOnce(&mut Cached) -> R) -> io::Result<R> {
        let mut cache = self.cache.borrow_mut();
        if cache.as_ref().map(|cached| cached.block) != Some(block) {
            write_back(&self.device, self.first_block, &mut cache)?;
            let mut data = [0; BLOCK_SIZE];
            self.device
                .borrow_mut()
                .read_blocks(self.first_block + block, &mut data)
                .map_err(block_error)?;
            *cache = Some(Cached {
                block,
                data,
                dirty: false,
            });
        }
        Ok(f(cache.as_mut().expect("just loaded")))
    }

    /// Writes the cache back if it holds a block in `[first, first + count)` (a direct read
    /// must see its changes), and drops it if `dropping` (a direct write replaces it).
    fn sync_cache_for(&mut self, first: u64, count: u64, dropping: bool) -> io::Result<()> {
        let cached_block = self.cache.borrow().as_ref().map(|cached| cached.block);
        if let Some(block) = cached_block {
            if block >= first && block < first + count {
                self.write_back()?;
                if dropping {
                    *self.cache.borrow_mut() = None;
                }
            }
        }
        Ok(())
    }
}

impl Read for BlockStream {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        self.spend()?;
        let remaining = self.len().saturating_sub(self.position);
        let wanted = (buffer.len() as u64).min(remaining) as usize;
        if wanted == 0 {
            // fatfs never reads past its volume unless a cluster number is corrupt.
            return if buffer.is_empty() {
                Ok(0)
            } else {
                Err(io::Error::other(
                    "a cluster lies outside the partition (the FAT looks corrupt)",
                ))
            };
        }
        let block = self.position / BLOCK_SIZE as u64;
        let offset = (self.position % BLOCK_SIZE as u64) as usize;
        let count = if offset == 0 && wanted >= BLOCK_SIZE {
            // Whole blocks straight into the caller's buffer, in one transfer.
            let blocks = (wanted / BLOCK_SIZE) as u64;
            self.sync_cache_for(block, blocks, false)?;
            let bytes = blocks as usize * BLOCK_SIZE;
            self.device
                .borrow_mut()
                .read_blocks(self.first_block + block, &mut buffer[..bytes])
                .map_err(block_error)?;
            bytes
        } else {
            let count = wanted.min(BLOCK_SIZE - offset);
            self.with_block(block, |cached| {
                buffer[..count].copy_from_slice(&cached.data[offset..offset + count]);
            })?;
            count
        };
        self.position += count as u64;
        Ok(count)
    }
}

impl Write for BlockStream {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.spend()?;
        let remaining = self.len().saturating_sub(self.position);
        let wanted = (data.len() as u64).min(remaining) as usize;
        if wanted == 0 {
            return if data.is_empty() {
                Ok(0)
            } else {
                Err(io::Error::other("write past the end of the partition"))
            };
        }
        let block = self.position / BLOCK_SIZE as u64;
        let offset = (self.position % BLOCK_SIZE as u64) as usize;
        let count = if offset == 0 && wanted >= BLOCK_SIZE {
            let blocks = (wanted / BLOCK_SIZE) as u64;
            self.sync_cache_for(block, blocks, true)?;
            let bytes = blocks as usize * BLOCK_SIZE;
            self.device
                .borrow_mut()
                .write_blocks(self.first_block + block, &data[..bytes])
                .map_err(block_error)?;
            bytes
        } else {
            let count = wanted.min(BLOCK_SIZE - offset);
            self.with_block(block, |cached| {
                cached.data[offset..offset + count].copy_from_slice(&data[..count]);
                cached.dirty = true;
            })?;
            count
        };
        self.position += count as u64;
        Ok(count)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.write_back()?;
        self.device.borrow_mut().flush().map_err(block_error)
    }
}

impl Seek for BlockStream {
    fn seek(&mut self, position: SeekFrom) -> io::Result<u64> {
        let target = match position {
            SeekFrom::Start(offset) => i128::from(offset),
            SeekFrom::Current(delta) => i128::from(self.position) + i128::from(delta),
            SeekFrom::End(delta) => i128::from(self.len()) + i128::from(delta),
        };
        if target < 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the start",
            ));
        }
        self.position = u64::try_from(target).unwrap_or(u64::MAX);
        Ok(self.position)
    }
}
