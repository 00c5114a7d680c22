//! A recording fake register block and clock, so tests can assert exact register sequences.
//!
//! [`RecordingBus`] implements both [`Registers`] and [`Clock`]: every read, write and cycle
//! delay lands in one ordered log of [`Event`]s. Reads are answered, in this order, from a
//! per-offset queue of scripted values ([`RecordingBus::script`]), from a closure
//! ([`RecordingBus::respond_with`]), from a per-offset default ([`RecordingBus::set_default`]),
//! else 0. The clock advances by a fixed step (1 µs unless [`RecordingBus::set_time_step`]
//! says otherwise) on every [`Clock::now_micros`] call, so polling limits expire after a
//! known number of polls without any real waiting.
use alloc::{
    boxed::Box,
    collections::{BTreeMap, VecDeque},
    vec::Vec,
};
use core::{cell::RefCell, fmt};

use crate::{Clock, Registers};

/// One thing a driver did to the fake.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A register read and the value it returned.
    Read {
        /// Byte offset (plus the window's base, see [`RecordingBus::window`]).
        offset: usize,
        /// The value answered.
        value: u32,
    },
    /// A register write.
    Write {
        /// Byte offset (plus the window's base, see [`RecordingBus::window`]).
        offset: usize,
        /// The value written.
        value: u32,
    },
    /// A [`Clock::delay_cycles`] call.
    DelayCycles(u32),
}

impl Event {
    /// A read of `offset` that returned `value`.
    pub const fn read(offset: usize, value: u32) -> Self {
        Self::Read { offset, value }
    }

    /// A write of `value` to `offset`.
    pub const fn write(offset: usize, value: u32) -> Self {
        Self::Write { offset, value }
    }

    /// Whether this is a register access (not a delay).
    pub const fn is_access(&self) -> bool {
        !matches!(self, Self::DelayCycles(_))
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Read { offset, value } => write!(formatter, "read({offset:#x}, {value:#x})"),
            Self::Write { offset, value } => write!(formatter, "write({offset:#x}, {value:#x})"),
            Self::DelayCycles(cycles) => write!(formatter, "delay_cycles({cycles})"),
        }
    }
}

/// Answers a read of `offset` given the log so far; `None` falls through to the default.
type Responder = Box<dyn FnMut(usize, &[Event]) -> Option<u32>>;

/// The fake's state behind its `RefCell`.
struct State {
    events: Vec<Event>,
    queues: BTreeMap<usize, VecDeque<u32>>,
    defaults: BTreeMap<usize, u32>,
    responder: Option<Responder>,
    now_micros: u64,
    step_micros: u64,
}

/// A fake register block (and clock) that records every access in order.
pub struct RecordingBus {
    state: RefCell<State>,
}

impl Default for RecordingBus {
    fn default() -> Self {
        Self::new()
    }
}

impl RecordingBus {
    /// An empty log; reads answer 0; the clock starts at 0 and steps 1 µs per reading.
    pub fn new() -> Self {
        Self {
            state: RefCell::new(State {
                events: Vec::new(),
                queues: BTreeMap::new(),
                defaults: BTreeMap::new(),
                responder: None,
                now_micros: 0,
                step_micros: 1,
            }),
        }
    }

    /// Queues `values` as the answers to the next reads of `offset`, one per read.
    pub fn script(&self, offset: usize, values: &[u32]) -> &Self {
        self.state
            .borrow_mut()
            .queues
            .entry(offset)
            .or_default()
            .extend(values.iter().copied());
        self
    }

    /// Answers reads of `offset` with `value` once its queue is empty (and the closure declines).
    pub fn set_default(&self, offset: usize, value: u32) -> &Self {
        self.state.borrow_mut().defaults.insert(offset, value);
        self
    }

    /// Consults `responder(offset, log so far)` for reads whose queue is empty.
    pub fn respond_with(
        &self,
        responder: impl FnMut(usize, &[Event]) -> Option<u32> + 'static,
    ) -> &Self {
        self.state.borrow_mut().responder = Some(Box::new(responder));
        self
    }

    /// Makes every [`Clock::now_micros`] call advance the fake time by `micros`.
    pub fn set_time_step(&self, micros: u64) -> &Self {
        self.state.borrow_mut().step_micros = micros;
        self
    }

    /// The fake time, without advancing it.
    pub fn now(&self) -> u64 {
        self.state.borrow().now_micros
    }

    /// A view of this bus whose offsets are recorded (and scripted) as `base + offset`, so that
    /// drivers of several blocks share one ordered log.
    pub fn window(&self, base: usize) -> Window<'_> {
        Window { bus: self, base }
    }

    /// Everything recorded so far, in order.
    pub fn events(&self) -> Vec<Event> {
        self.state.borrow().events.clone()
    }

    /// The register accesses recorded so far (delays left out), in order.
    pub fn accesses(&self) -> Vec<Event> {
        self.state
            .borrow()
            .events
            .iter()
            .copied()
            .filter(Event::is_access)
            .collect()
    }

    /// The writes recorded so far as `(offset, value)`, in order.
    pub fn writes(&self) -> Vec<(usize, u32)> {
        self.state
            .borrow()
            .events
            .iter()
            .filter_map(|event| match *event {
                Event::Write { offset, value } => Some((offset, value)),
                _ => None,
            })
            .collect()
    }

    /// How many times `offset` was read.
    pub fn read_count(&self, offset: usize) -> usize {
        self.state
            .borrow()
            .events
            .iter()
            .filter(|event| matches!(event, Event::Read { offset: read, .. } if *read == offset))
            .count()
    }

    /// Forgets the log (scripts, defaults and time stay).
    pub fn clear_events(&self) {
        self.state.borrow_mut().events.clear();
    }

    /// Everything recorded so far, forgetting it.
    pub fn take_events(&self) -> Vec<Event> {
        core::mem::take(&mut self.state.borrow_mut().events)
    }

    /// Scripted values not yet read, per offset (to check a test's script was used up).
    pub fn unread_scripts(&self) -> Vec<(usize, usize)> {
        self.state
            .borrow()
            .queues
            .iter()
            .filter(|(_, queue)| !queue.is_empty())
            .map(|(offset, queue)| (*offset, queue.len()))
            .collect()
    }

    fn answer(&self, offset: usize) -> u32 {
        let mut state = self.state.borrow_mut();
        let queued = state.queues.get_mut(&offset).and_then(VecDeque::pop_front);
        let value = match queued {
            Some(value) => value,
            None => {
                let answered = match state.responder.take() {
                    Some(mut responder) => {
                        let answered = responder(offset, &state.events);
                        state.responder = Some(responder);
                        answered
                    }
                    None => None,
                };
                answered.unwrap_or_else(|| state.defaults.get(&offset).copied().unwrap_or(0))
            }
        };
        state.events.push(Event::read(offset, value));
        value
    }
}

impl Registers for RecordingBus {
    fn read(&self, offset: usize) -> u32 {
        self.answer(offset)
    }

    fn write(&self, offset: usize, value: u32) {
        self.state
            .borrow_mut()
            .events
            .push(Event::write(offset, value));
    }
}

impl Clock for RecordingBus {
    fn now_micros(&self) -> u64 {
        let mut state = self.state.borrow_mut();
        let now = state.now_micros;
        state.now_micros = now.wrapping_add(state.step_micros);
        now
    }

    fn delay_cycles(&self, cycles: u32) {
        self.state
            .borrow_mut()
            .events
            .push(Event::DelayCycles(cycles));
    }
}

/// A [`RecordingBus`] seen from one block's base (see [`RecordingBus::window`]).
#[derive(Clone, Copy)]
pub struct Window<'bus> {
    bus: &'bus RecordingBus,
    base: usize,
}

impl Registers for Window<'_> {
    fn read(&self, offset: usize) -> u32 {
        self.bus.answer(self.base + offset)
    }

    fn write(&self, offset: usize, value: u32) {
        self.bus.write(self.base + offset, value);
    }
}
