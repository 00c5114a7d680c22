//! A byte stream (`Read + Write + Seek`, what `fatfs` wants) over a partition of a block
//! device, with a one-block write-back cache and an access budget per file-system call.
use std::cell::{Cell, RefCell};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::rc::Rc;

use crate::{BlockError, SharedDevice, BLOCK_SIZE};

/// A block held in the cache.
struct Cached {
    block: u64,
    data: [u8; BLOCK_SIZE],
    dirty: bool,
    /// When it was last used (for least-recently-used replacement).
    used: u64,
}

/// Blocks the cache holds: enough for the FAT sectors of both FAT copies, a directory block
/// and the boot/FS-info sectors, so allocating clusters does not thrash.
const CACHE_BLOCKS: usize = 8;

/// The cached blocks and the use counter.
#[derive(Default)]
struct Cache {
    blocks: Vec<Cached>,
    clock: u64,
}

/// A partition of a shared block device as a byte stream.
pub struct BlockStream {
    device: SharedDevice,
    first_block: u64,
    block_count: u64,
    position: u64,
    cache: Rc<RefCell<Cache>>,
    budget: Rc<Cell<u64>>,
}

/// Writes a [`BlockStream`]'s cached block back from outside (the stream itself belongs to
/// the fatfs file system).
pub(crate) struct Flusher {
    device: SharedDevice,
    first_block: u64,
    cache: Rc<RefCell<Cache>>,
}

impl Flusher {
    /// Writes the cached block if it changed, then flushes the device.
    pub(crate) fn flush(&self) -> io::Result<()> {
        write_back(&self.device, self.first_block, &mut self.cache.borrow_mut())?;
        self.device.borrow_mut().flush().map_err(block_error)
    }
}

/// The io error of a failed block transfer (the volume turns it into `EIO`).
fn block_error(error: BlockError) -> io::Error {
    io::Error::other(format!("SD card: {error}"))
}

/// What the budget's exhaustion says.
pub(crate) const LOOP_MESSAGE: &str = "the FAT looks corrupt (a cluster chain loops)";

/// Writes one cached block back if it changed.
fn write_back_one(device: &SharedDevice, first_block: u64, cached: &mut Cached) -> io::Result<()> {
    if cached.dirty {
        device
            .borrow_mut()
            .write_blocks(first_block + cached.block, &cached.data)
            .map_err(block_error)?;
        cached.dirty = false;
    }
    Ok(())
}

/// Writes every changed cached block back, in block order.
fn write_back(device: &SharedDevice, first_block: u64, cache: &mut Cache) -> io::Result<()> {
    cache.blocks.sort_by_key(|cached| cached.block);
    for cached in &mut cache.blocks {
        write_back_one(device, first_block, cached)?;
    }
    Ok(())
}

impl BlockStream {
    /// The blocks `[first_block, first_block + block_count)` of `device`.
    pub fn new(device: SharedDevice, first_block: u64, block_count: u64) -> BlockStream {
        BlockStream {
            device,
            first_block,
            block_count,
            position: 0,
            cache: Rc::new(RefCell::new(Cache::default())),
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

    /// Makes `block` a cached one (replacing the least recently used), and runs `f` on it.
    fn with_block<R>(&mut self, block: u64, f: impl FnOnce(&mut Cached) -> R) -> io::Result<R> {
        let mut cache = self.cache.borrow_mut();
        cache.clock += 1;
        let now = cache.clock;
        let index = match cache.blocks.iter().position(|cached| cached.block == block) {
            Some(index) => index,
            None => {
                let mut data = [0; BLOCK_SIZE];
                self.device
                    .borrow_mut()
                    .read_blocks(self.first_block + block, &mut data)
                    .map_err(block_error)?;
                let fresh = Cached {
                    block,
                    data,
                    dirty: false,
                    used: now,
                };
                if cache.blocks.len() < CACHE_BLOCKS {
                    cache.blocks.push(fresh);
                    cache.blocks.len() - 1
                } else {
                    let oldest = (0..cache.blocks.len())
                        .min_by_key(|&index| cache.blocks[index].used)
                        .unwrap_or(0);
                    write_back_one(&self.device, self.first_block, &mut cache.blocks[oldest])?;
                    cache.blocks[oldest] = fresh;
                    oldest
                }
            }
        };
        let cached = &mut cache.blocks[index];
        cached.used = now;
        Ok(f(cached))
    }

    /// Writes back the cached blocks in `[first, first + count)` (a direct read must see
    /// their changes), and drops them if `dropping` (a direct write replaces them).
    fn sync_cache_for(&mut self, first: u64, count: u64, dropping: bool) -> io::Result<()> {
        let mut cache = self.cache.borrow_mut();
        let inside = |cached: &Cached| cached.block >= first && cached.block < first + count;
        for cached in cache.blocks.iter_mut().filter(|cached| inside(cached)) {
            write_back_one(&self.device, self.first_block, cached)?;
        }
        if dropping {
            cache.blocks.retain(|cached| !inside(cached));
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
