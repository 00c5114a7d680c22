//! Lock-free single-producer single-consumer channel of 32-bit words, built only from atomics.
//!
//! Contract: at any time at most one context pushes (calls [`Channel::try_push`]) and at most
//! one context pops (calls [`Channel::try_pop`] or [`Channel::pop_into`]); typically an
//! interrupt handler produces samples and Python consumes them. The producer owns `head` and
//! the drop counter, the consumer owns `tail`; each side only stores to what it owns, so no
//! read-modify-write instruction is needed (plain loads and stores, which ARMv6 performs
//! atomically for aligned 32-bit words). Breaking the contract is still safe code: two
//! producers can overwrite each other's word or drop-count, two consumers can both return the
//! same word; words can be lost or duplicated, but nothing worse.
//!
//! Ordering: the producer writes the slot, then publishes it by storing `head` with Release;
//! the consumer loads `head` with Acquire before reading slots, reads them, then frees them by
//! storing `tail` with Release; the producer loads `tail` with Acquire before reusing a slot.
//! `head` and `tail` count words pushed and popped modulo 2^32, so the capacity must be a power
//! of two (at most 2^31) for the slot index `counter % capacity` to stay continuous when they
//! wrap.

use core::sync::atomic::{AtomicU32, Ordering};

/// The word refused by [`Channel::try_push`] because the channel was full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full(pub u32);

/// A fixed-capacity SPSC queue of `u32` words; `CAPACITY` must be a power of two.
///
/// ```
/// use rtsched::Channel;
///
/// static SAMPLES: Channel<256> = Channel::new();
///
/// SAMPLES.try_push(7).unwrap(); // producer, e.g. an interrupt handler
/// let mut batch = [0u32; 64];
/// assert_eq!(SAMPLES.pop_into(&mut batch), 1); // consumer, e.g. Python
/// assert_eq!(batch[0], 7);
/// ```
///
/// A capacity that is not a power of two fails the build:
///
/// ```compile_fail
/// static BAD: rtsched::Channel<100> = rtsched::Channel::new();
/// ```
#[derive(Debug)]
pub struct Channel<const CAPACITY: usize> {
    /// The ring of words; slot `counter % CAPACITY` holds word number `counter`.
    slots: [AtomicU32; CAPACITY],
    /// Number of words pushed, modulo 2^32; stored only by the producer.
    head: AtomicU32,
    /// Number of words popped, modulo 2^32; stored only by the consumer.
    tail: AtomicU32,
    /// Number of words refused because the channel was full (saturating); stored only by the
    /// producer.
    dropped: AtomicU32,
}

impl<const CAPACITY: usize> Default for Channel<CAPACITY> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const CAPACITY: usize> Channel<CAPACITY> {
    /// `CAPACITY - 1`, the mask that turns a counter into a slot index; evaluating it checks the
    /// capacity at compile time.
    const INDEX_MASK: u32 = {
        assert!(
            CAPACITY.is_power_of_two() && CAPACITY <= 1 << 31,
            "rtsched::Channel capacity must be a power of two between 1 and 2^31"
        );
        (CAPACITY - 1) as u32
    };

    /// An empty channel; `const`, so it can be a `static`.
    pub const fn new() -> Self {
        Self::starting_at(0)
    }

    /// An empty channel whose counters start at `counter` (tests use it to cross the wrap).
    const fn starting_at(counter: u32) -> Self {
        let _ = Self::INDEX_MASK;
        Self {
            slots: [const { AtomicU32::new(0) }; CAPACITY],
            head: AtomicU32::new(counter),
            tail: AtomicU32::new(counter),
            dropped: AtomicU32::new(0),
        }
    }

    /// The slot that holds word number `counter`.
    fn slot(&self, counter: u32) -> Option<&AtomicU32> {
        self.slots.get((counter & Self::INDEX_MASK) as usize)
    }

    /// Producer side: appends `word`, or counts a drop and gives the word back if the channel
    /// is full. O(1), wait-free.
    pub fn try_push(&self, word: u32) -> Result<(), Full> {
        let head = self.head.load(Ordering::Relaxed);
        let tail = self.tail.load(Ordering::Acquire);
        let Some(slot) = self.slot(head) else {
            return Err(Full(word));
        };
        if head.wrapping_sub(tail) as usize >= CAPACITY {
            let dropped = self.dropped.load(Ordering::Relaxed);
            self.dropped
                .store(dropped.saturating_add(1), Ordering::Relaxed);
            return Err(Full(word));
        }
        slot.store(word, Ordering::Relaxed);
        self.head.store(head.wrapping_add(1), Ordering::Release);
        Ok(())
    }

    /// Consumer side: removes and returns the oldest word, or `None` if the channel is empty.
    /// O(1), wait-free.
    pub fn try_pop(&self) -> Option<u32> {
        let tail = self.tail.load(Ordering::Relaxed);
        let head = self.head.load(Ordering::Acquire);
        if head == tail {
            return None;
        }
        let word = self.slot(tail)?.load(Ordering::Relaxed);
        self.tail.store(tail.wrapping_add(1), Ordering::Release);
        Some(word)
    }

    /// Consumer side: moves as many of the oldest words as fit into `output` (in order, from
    /// its start) and returns how many were moved. O(words moved).
    pub fn pop_into(&self, output: &mut [u32]) -> usize {
        let tail = self.tail.load(Ordering::Relaxed);
        let head = self.head.load(Ordering::Acquire);
        let available = (head.wrapping_sub(tail) as usize).min(CAPACITY);
        let count = available.min(output.len());
        let mut counter = tail;
        for destination in output.iter_mut().take(count) {
            if let Some(slot) = self.slot(counter) {
                *destination = slot.load(Ordering::Relaxed);
            }
            counter = counter.wrapping_add(1);
        }
        self.tail.store(counter, Ordering::Release);
        count
    }

    /// Number of words waiting; exact when called from the producer or the consumer, a recent
    /// value from anywhere else.
    pub fn len(&self) -> usize {
        // Loading `tail` first guarantees `head` is at least as new, so the difference never
        // underflows.
        let tail = self.tail.load(Ordering::Acquire);
        let head = self.head.load(Ordering::Acquire);
        (head.wrapping_sub(tail) as usize).min(CAPACITY)
    }

    /// Whether no word is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the next push would be refused.
    pub fn is_full(&self) -> bool {
        self.len() >= CAPACITY
    }

    /// Maximum number of words waiting at once.
    pub const fn capacity(&self) -> usize {
        CAPACITY
    }

    /// Number of words refused by [`Channel::try_push`] since creation (saturating at
    /// `u32::MAX`).
    pub fn dropped(&self) -> u32 {
        self.dropped.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::Channel;

    #[test]
    fn counters_wrap_around_u32_without_losing_order() {
        let channel: Channel<8> = Channel::starting_at(u32::MAX - 20);
        let mut next_expected = 0;
        for word in 0..100u32 {
            channel.try_push(word).unwrap();
            if word % 3 == 2 {
                while let Some(popped) = channel.try_pop() {
                    assert_eq!(popped, next_expected);
                    next_expected += 1;
                }
            }
            assert!(channel.len() <= 8);
        }
        let mut rest = [0u32; 8];
        let count = channel.pop_into(&mut rest);
        for &popped in &rest[..count] {
            assert_eq!(popped, next_expected);
            next_expected += 1;
        }
        assert_eq!(next_expected, 100);
        assert!(channel.is_empty());
        assert_eq!(channel.dropped(), 0);
    }

    #[test]
    fn full_channel_reports_its_length_across_the_wrap() {
        let channel: Channel<4> = Channel::starting_at(u32::MAX - 1);
        for word in 0..4 {
            channel.try_push(word).unwrap();
        }
        assert_eq!(channel.len(), 4);
        assert!(channel.is_full());
        assert_eq!(channel.try_push(9), Err(super::Full(9)));
        assert_eq!(channel.dropped(), 1);
        assert_eq!(channel.try_pop(), Some(0));
        assert_eq!(channel.len(), 3);
    }
}
