//! A fixed-capacity deadline queue: one-shot and periodic timer entries, earliest first.
//!
//! The kernel's `time` module owns the system timer's compare channel for everything that is not
//! a real-time release (sleeps, Python timers, periodic wake-ups) and keeps their deadlines here:
//! it programs the channel for [`DeadlineQueue::earliest`], and when the alarm fires it takes
//! every expired entry with [`DeadlineQueue::pop_expired`]. Periodic entries are re-armed at
//! exactly `deadline + period` (never from "now"), so they do not drift; a handler that was late
//! by several periods skips the missed expiries and reports how many.
//!
//! No allocation, no panics: an interrupt handler can use it.

/// Identifies an entry; stale handles (of an entry that already expired or was cancelled, whose
/// slot has since been reused) are recognised by the generation and ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntryId {
    slot: u16,
    generation: u16,
}

/// What an expired entry carries back to its owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expiry<T> {
    /// The entry.
    pub id: EntryId,
    /// The deadline that passed.
    pub deadline: u64,
    /// Whatever the owner stored with the entry.
    pub payload: T,
    /// Expiries skipped because the handler ran more than one period late (periodic entries).
    pub missed: u64,
}

/// Why an entry could not be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// Every slot is in use.
    Full,
}

#[derive(Clone, Copy, Debug)]
struct Entry<T> {
    deadline: u64,
    period: u64,
    payload: T,
    generation: u16,
    active: bool,
}

/// Up to `N` pending deadlines (time in microseconds).
#[derive(Debug)]
pub struct DeadlineQueue<T: Copy, const N: usize> {
    entries: [Option<Entry<T>>; N],
    generations: [u16; N],
}

impl<T: Copy, const N: usize> Default for DeadlineQueue<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Copy, const N: usize> DeadlineQueue<T, N> {
    /// An empty queue.
    pub const fn new() -> Self {
        Self {
            entries: [None; N],
            generations: [0; N],
        }
    }

    /// Adds an entry that expires at `deadline`, then every `period` µs after it (`0` = once).
    pub fn insert(&mut self, deadline: u64, period: u64, payload: T) -> Result<EntryId, Error> {
        let slot = self
            .entries
            .iter()
            .position(|entry| entry.as_ref().is_none_or(|entry| !entry.active))
            .ok_or(Error::Full)?;
        let generation = self.generations[slot].wrapping_add(1);
        self.generations[slot] = generation;
        self.entries[slot] = Some(Entry {
            deadline,
            period,
            payload,
            generation,
            active: true,
        });
        Ok(EntryId {
            slot: slot as u16,
            generation,
        })
    }

    /// Removes an entry; returns whether it was still pending.
    pub fn cancel(&mut self, id: EntryId) -> bool {
        match self.entries.get_mut(usize::from(id.slot)) {
            Some(Some(entry)) if entry.active && entry.generation == id.generation => {
                entry.active = false;
                true
            }
            _ => false,
        }
    }

    /// True if the entry is still pending.
    pub fn contains(&self, id: EntryId) -> bool {
        matches!(
            self.entries.get(usize::from(id.slot)),
            Some(Some(entry)) if entry.active && entry.generation == id.generation
        )
    }

    /// The earliest pending deadline.
    pub fn earliest(&self) -> Option<u64> {
        self.entries
            .iter()
            .flatten()
            .filter(|entry| entry.active)
            .map(|entry| entry.deadline)
            .min()
    }

    /// Number of pending entries.
    pub fn len(&self) -> usize {
        self.entries
            .iter()
            .flatten()
            .filter(|entry| entry.active)
            .count()
    }

    /// True if nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes the earliest entry whose deadline is at or before `now` (call until `None`).
    /// One-shot entries leave the queue; periodic ones are re-armed one period later (or at the
    /// first deadline after `now`, counting the skipped ones in [`Expiry::missed`]).
    pub fn pop_expired(&mut self, now: u64) -> Option<Expiry<T>> {
        let (slot, entry) = self
            .entries
            .iter_mut()
            .enumerate()
            .filter_map(|(slot, entry)| entry.as_mut().map(|entry| (slot, entry)))
            .filter(|(_, entry)| entry.active && entry.deadline <= now)
            .min_by_key(|(_, entry)| entry.deadline)?;
        let deadline = entry.deadline;
        let mut missed = 0;
        if entry.period == 0 {
            entry.active = false;
        } else {
            let next = deadline.saturating_add(entry.period);
            if next <= now {
                // Late by more than a period: skip to the first deadline after `now`.
                let behind = (now - next) / entry.period + 1;
                missed = behind;
                entry.deadline = next.saturating_add(behind.saturating_mul(entry.period));
            } else {
                entry.deadline = next;
            }
        }
        Some(Expiry {
            id: EntryId {
                slot: slot as u16,
                generation: entry.generation,
            },
            deadline,
            payload: entry.payload,
            missed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_shot_entries_expire_in_deadline_order() {
        let mut queue: DeadlineQueue<u32, 4> = DeadlineQueue::new();
        queue.insert(300, 0, 3).unwrap();
        queue.insert(100, 0, 1).unwrap();
        queue.insert(200, 0, 2).unwrap();
        assert_eq!(queue.earliest(), Some(100));
        assert_eq!(queue.pop_expired(50), None);
        let mut order = [0u32; 2];
        for slot in &mut order {
            *slot = queue.pop_expired(250).unwrap().payload;
        }
        assert_eq!(queue.pop_expired(250), None);
        assert_eq!(order, [1, 2]);
        assert_eq!(queue.earliest(), Some(300));
        assert_eq!(queue.len(), 1);
    }

    #[test]
    fn periodic_entries_do_not_drift_and_count_misses() {
        let mut queue: DeadlineQueue<(), 2> = DeadlineQueue::new();
        queue.insert(1000, 250, ()).unwrap();
        // On time, then a little late: the next deadline stays on the 250 µs grid.
        assert_eq!(queue.pop_expired(1000).unwrap().deadline, 1000);
        assert_eq!(queue.pop_expired(1260).unwrap().deadline, 1250);
        assert_eq!(queue.earliest(), Some(1500));
        // A whole second late: everything between is skipped and counted.
        let late = queue.pop_expired(2_500).unwrap();
        assert_eq!((late.deadline, late.missed), (1500, 4));
        assert_eq!(queue.earliest(), Some(2750));
        assert_eq!(queue.pop_expired(2_500), None);
    }

    #[test]
    fn cancel_and_stale_ids() {
        let mut queue: DeadlineQueue<u8, 1> = DeadlineQueue::new();
        let first = queue.insert(10, 0, 1).unwrap();
        assert_eq!(queue.insert(20, 0, 2), Err(Error::Full));
        assert!(queue.cancel(first));
        assert!(!queue.cancel(first));
        let second = queue.insert(30, 0, 3).unwrap();
        // The old handle names the same slot but a previous generation.
        assert!(!queue.cancel(first));
        assert!(queue.contains(second));
        assert_eq!(queue.pop_expired(30).map(|expiry| expiry.payload), Some(3));
        assert!(!queue.contains(second));
        assert!(queue.is_empty());
    }

    #[test]
    fn huge_values_do_not_overflow() {
        let mut queue: DeadlineQueue<(), 1> = DeadlineQueue::new();
        queue.insert(u64::MAX - 5, u64::MAX, ()).unwrap();
        assert!(queue.pop_expired(u64::MAX).is_some());
        assert_eq!(queue.earliest(), Some(u64::MAX));
    }
}
