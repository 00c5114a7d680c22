//! Local stream pairs: what `socket.socketpair()` gives, e.g. asyncio's self-pipe.
//!
//! Two ends, each reading what the other writes, buffered in memory (at most [`CAPACITY`]
//! bytes each way). There is one thread, so nobody else could ever fill an empty buffer while
//! a read waits: a read of an empty stream whose peer is open gives `EAGAIN` (blocking or
//! not), and one whose peer has closed gives end-of-file.
use core::cell::{Cell, RefCell};
use std::{collections::VecDeque, rc::Rc};

use crate::abi::hermit::errno;

/// Bytes buffered per direction at most.
pub const CAPACITY: usize = 64 * 1024;

#[derive(Default)]
struct Pipe {
    bytes: VecDeque<u8>,
    writer_closed: bool,
    reader_closed: bool,
}

/// One end of a pair.
pub struct End {
    inbound: Rc<RefCell<Pipe>>,
    outbound: Rc<RefCell<Pipe>>,
    blocking: Cell<bool>,
}

/// A connected pair.
pub fn pair() -> (Rc<End>, Rc<End>) {
    let forward = Rc::new(RefCell::new(Pipe::default()));
    let backward = Rc::new(RefCell::new(Pipe::default()));
    (
        Rc::new(End {
            inbound: backward.clone(),
            outbound: forward.clone(),
            blocking: Cell::new(true),
        }),
        Rc::new(End {
            inbound: forward,
            outbound: backward,
            blocking: Cell::new(true),
        }),
    )
}

impl End {
    /// Takes up to `buffer.len()` bytes; 0 at end-of-file; `EAGAIN` when empty.
    pub fn read(&self, buffer: &mut [u8]) -> Result<usize, i32> {
        let mut pipe = self.inbound.borrow_mut();
        if pipe.bytes.is_empty() {
            return if pipe.writer_closed || buffer.is_empty() {
                Ok(0)
            } else {
                Err(errno::EAGAIN)
            };
        }
        let count = buffer.len().min(pipe.bytes.len());
        for (slot, byte) in buffer.iter_mut().zip(pipe.bytes.drain(..count)) {
            *slot = byte;
        }
        Ok(count)
    }

    /// Queues as much of `bytes` as fits; `EPIPE` if the peer has closed, `EAGAIN` if full.
    pub fn write(&self, bytes: &[u8]) -> Result<usize, i32> {
        let mut pipe = self.outbound.borrow_mut();
        if pipe.reader_closed {
            return Err(errno::EPIPE);
        }
        let room = CAPACITY - pipe.bytes.len();
        if room == 0 && !bytes.is_empty() {
            return Err(errno::EAGAIN);
        }
        let count = room.min(bytes.len());
        pipe.bytes.extend(&bytes[..count]);
        Ok(count)
    }

    /// Data (or end-of-file) is there to read.
    pub fn readable(&self) -> bool {
        let pipe = self.inbound.borrow();
        !pipe.bytes.is_empty() || pipe.writer_closed
    }

    /// There is room to write (or the peer is gone, which a write reports).
    pub fn writable(&self) -> bool {
        let pipe = self.outbound.borrow();
        pipe.bytes.len() < CAPACITY || pipe.reader_closed
    }

    /// Records the blocking mode (reads never wait either way, see the module text).
    pub fn set_blocking(&self, blocking: bool) {
        self.blocking.set(blocking);
    }
}

impl Drop for End {
    fn drop(&mut self) {
        self.outbound.borrow_mut().writer_closed = true;
        self.inbound.borrow_mut().reader_closed = true;
    }
}
