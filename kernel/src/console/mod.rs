//! The console: output sinks, the interrupt-fed input ring, Ctrl-C, and the line editor.
//!
//! Output goes to every [`Sink`] registered at boot (the serial port first, then the screen):
//! [`write`] and [`write_raw`] for normal output, [`PanicWriter`] for fault and panic reports,
//! which uses each sink's lock-free, allocation-free emergency path.
//!
//! Input sources all feed one ring through [`receive_byte`] (the UART receive interrupt now; a
//! USB keyboard driver calls the same function): ring → the Python context's [`read_line`] →
//! line editor. A Ctrl-C also asks the interpreter to raise `KeyboardInterrupt` at its next
//! safe point.
use std::sync::{
    atomic::{AtomicBool, Ordering},
    Mutex,
};

use lineedit::{Editor, Event};

use crate::{
    arch::arm::cpu,
    sync::{IrqLock, SetOnce},
};

/// A console output device.
pub trait Sink: Sync {
    /// Writes terminal output (text with `\r\n` line ends and VT100 sequences).
    fn write(&self, bytes: &[u8]);
    /// Writes a fault or panic report: must not allocate, take a lock, or rely on anything
    /// the failing code may have broken.
    fn write_emergency(&self, bytes: &[u8]);
    /// Waits until everything written has left (before a reboot).
    fn flush(&self) {}
    /// True if the sink is the host's line: it also carries the raw REPL protocol (mpremote),
    /// which the other sinks do not show.
    fn carries_protocol(&self) -> bool;
}

/// How many sinks can be registered.
const MAX_SINKS: usize = 4;

/// The registered sinks, in registration order; [`SINK_COUNT`] of them are set.
static SINKS: [SetOnce<&'static dyn Sink>; MAX_SINKS] = [
    SetOnce::new(),
    SetOnce::new(),
    SetOnce::new(),
    SetOnce::new(),
];
static SINK_COUNT: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);

/// True while the raw REPL protocol is talking to a host: only protocol sinks get output.
static PROTOCOL_ACTIVE: AtomicBool = AtomicBool::new(false);

/// Registers an output sink (at boot, from one context). Fails when all slots are taken.
pub fn register_sink(sink: &'static dyn Sink) -> Result<(), &'static str> {
    let index = SINK_COUNT.load(Ordering::Acquire);
    let slot = SINKS.get(index).ok_or("all console sink slots are taken")?;
    slot.set(sink);
    SINK_COUNT.store(index + 1, Ordering::Release);
    Ok(())
}

/// Calls `f` on each registered sink.
fn each_sink(mut f: impl FnMut(&'static dyn Sink)) {
    let count = SINK_COUNT.load(Ordering::Acquire);
    for slot in &SINKS[..count] {
        if let Some(sink) = slot.get() {
            f(*sink);
        }
    }
}

/// Says whether the raw REPL protocol is active (the REPL calls this as its mode changes):
/// while it is, only the host's line shows output.
pub fn set_protocol_active(active: bool) {
    PROTOCOL_ACTIVE.store(active, Ordering::Relaxed);
}

/// Writes bytes to every sink that should see them now.
fn write_sinks(bytes: &[u8]) {
    let protocol = PROTOCOL_ACTIVE.load(Ordering::Relaxed);
    each_sink(|sink| {
        if !protocol || sink.carries_protocol() {
            sink.write(bytes);
        }
    });
}

/// Waits until every sink has sent what it was given.
pub fn flush() {
    each_sink(|sink| sink.flush());
}

/// Ctrl-C.
const INTERRUPT_BYTE: u8 = 0x03;
/// Receive ring capacity (a power of two).
const RING_SIZE: usize = 4096;

struct Ring {
    bytes: [u8; RING_SIZE],
    read: usize,
    write: usize,
    dropped: usize,
}

impl Ring {
    /// Adds a byte; `false` (and counted) if the ring is full.
    fn push(&mut self, byte: u8) -> bool {
        if self.write - self.read == RING_SIZE {
            self.dropped += 1;
            return false;
        }
        self.bytes[self.write % RING_SIZE] = byte;
        self.write += 1;
        true
    }

    fn pop(&mut self) -> Option<u8> {
        (self.read != self.write).then(|| {
            let byte = self.bytes[self.read % RING_SIZE];
            self.read += 1;
            byte
        })
    }
}

static RECEIVED: IrqLock<Ring> = IrqLock::new(Ring {
    bytes: [0; RING_SIZE],
    read: 0,
    write: 0,
    dropped: 0,
});

/// Set by the receive interrupt on Ctrl-C; taken by whoever handles it first.
static INTERRUPT_PENDING: AtomicBool = AtomicBool::new(false);

/// Hook called (in IRQ context) when Ctrl-C arrives, to interrupt running Python code.
static INTERRUPT_HOOK: IrqLock<Option<fn()>> = IrqLock::new(None);

/// Takes one received byte (IRQ context). Ctrl-C goes into the ring like any byte (so that it
/// stays in order with what was typed before it) and also sets the pending flag and calls the
/// hook, so that running Python code is interrupted at once.
pub fn receive_byte(byte: u8) {
    if i32::from(byte) == INTERRUPT_CHARACTER.load(Ordering::Relaxed) {
        INTERRUPT_PENDING.store(true, Ordering::Release);
        if RECEIVED.lock(|ring| ring.push(INTERRUPT_MARK)) {
            MARKS_IN_RING.fetch_add(1, Ordering::AcqRel);
        }
        if let Some(hook) = INTERRUPT_HOOK.lock(|hook| *hook) {
            hook();
        }
    } else {
        RECEIVED.lock(|ring| ring.push(byte));
    }
}

/// Ctrl-C marks waiting in the ring.
static MARKS_IN_RING: core::sync::atomic::AtomicU32 = core::sync::atomic::AtomicU32::new(0);

/// What a Ctrl-C leaves in the ring: the byte itself (the interrupt character is Ctrl-C
/// unless `kbd_intr` moved it; then the byte stays data and never becomes a mark).
const INTERRUPT_MARK: u8 = INTERRUPT_BYTE;

/// Ctrl-C bytes in the ring whose interrupt running code has already taken (through the
/// pending flag): the reader skips that many, so one Ctrl-C is handled once.
static INTERRUPTS_TAKEN_EARLY: core::sync::atomic::AtomicU32 =
    core::sync::atomic::AtomicU32::new(0);

/// The byte that interrupts (Ctrl-C), or -1 while binary data flows (MicroPython's
/// `micropython.kbd_intr(-1)`, which `mpremote mount` uses).
static INTERRUPT_CHARACTER: core::sync::atomic::AtomicI32 =
    core::sync::atomic::AtomicI32::new(INTERRUPT_BYTE as i32);

/// Sets the interrupt character (`-1`: none; every byte is data).
pub fn set_interrupt_character(character: i32) {
    INTERRUPT_CHARACTER.store(character, Ordering::Relaxed);
}

/// Takes up to `buffer.len()` received bytes without waiting; returns how many, and whether a
/// Ctrl-C came (it ends the bytes taken).
pub fn take_bytes(buffer: &mut [u8]) -> (usize, bool) {
    RECEIVED.lock(|ring| {
        let mut count = 0;
        while count < buffer.len() {
            match next_input(ring) {
                Some(Input::Byte(byte)) => {
                    buffer[count] = byte;
                    count += 1;
                }
                Some(Input::Interrupt) => return (count, true),
                _ => break,
            }
        }
        (count, false)
    })
}

/// True if received bytes wait to be read.
pub fn input_waiting() -> bool {
    // (A Ctrl-C waits in the ring as well.)
    RECEIVED.lock(|ring| ring.read != ring.write)
}

/// Installs the function the receive interrupt calls on Ctrl-C.
pub fn set_interrupt_hook(hook: fn()) {
    INTERRUPT_HOOK.lock(|slot| *slot = Some(hook));
}

/// Takes a pending Ctrl-C, if any (running code does, to raise KeyboardInterrupt); its byte,
/// still in the ring, will be skipped by the reader.
pub fn take_interrupt() -> bool {
    let saved = cpu::irq_save_and_disable();
    let taken = INTERRUPT_PENDING.swap(false, Ordering::AcqRel);
    // Skip the Ctrl-C's byte later, if it is in the ring (it may not have fitted).
    if taken
        && INTERRUPTS_TAKEN_EARLY.load(Ordering::Acquire) < MARKS_IN_RING.load(Ordering::Acquire)
    {
        INTERRUPTS_TAKEN_EARLY.fetch_add(1, Ordering::AcqRel);
    }
    cpu::irq_restore(saved);
    taken
}

/// Pops the next byte of the ring, turning a Ctrl-C byte into [`Input::Interrupt`] (or
/// skipping it if running code already took its interrupt). IRQs must be masked.
fn next_input(ring: &mut Ring) -> Option<Input> {
    loop {
        let byte = ring.pop()?;
        if byte != INTERRUPT_MARK || MARKS_IN_RING.load(Ordering::Acquire) == 0 {
            return Some(Input::Byte(byte));
        }
        MARKS_IN_RING.fetch_sub(1, Ordering::AcqRel);
        let skipped = INTERRUPTS_TAKEN_EARLY
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |count| {
                count.checked_sub(1)
            })
            .is_ok();
        if !skipped {
            INTERRUPT_PENDING.store(false, Ordering::Release);
            return Some(Input::Interrupt);
        }
    }
}

/// What the console input produced.
pub enum Input {
    /// A received byte.
    Byte(u8),
    /// Ctrl-C.
    Interrupt,
    /// Other work became pending (the [`Waiter`] says so).
    Work,
}

/// Work that may become pending while the console waits for input (scheduled Python callbacks):
/// the console checks [`Waiter::pending`] before each sleep and runs it.
pub trait Waiter {
    /// True if work is waiting (checked with IRQs masked: must be quick).
    fn pending(&self) -> bool;
    /// Runs the work; `false` abandons the line as Ctrl-C would (the work raised
    /// KeyboardInterrupt).
    fn run(&mut self) -> bool;
}

/// A [`Waiter`] with nothing to do.
pub struct NoWork;

impl Waiter for NoWork {
    fn pending(&self) -> bool {
        false
    }
    fn run(&mut self) -> bool {
        true
    }
}

/// Waits for the next input byte or Ctrl-C, sleeping in between.
pub fn read_input(waiter: &dyn Waiter) -> Input {
    read_input_until(waiter, None).unwrap_or(Input::Work)
}

/// As [`read_input`], giving up at `deadline` (µs since boot): `None` then.
pub fn read_input_until(waiter: &dyn Waiter, deadline: Option<u64>) -> Option<Input> {
    loop {
        if deadline.is_some_and(|deadline| crate::time::now_micros() >= deadline) {
            return None;
        }
        // Check with IRQs masked, then wait: an interrupt arriving between the check and the
        // WFI still wakes the core (WFI wakes on a pending IRQ even while masked).
        let saved = cpu::irq_save_and_disable();
        // In order: what was typed before a Ctrl-C comes before the Ctrl-C.
        if let Some(input) = RECEIVED.lock(next_input) {
            cpu::irq_restore(saved);
            return Some(input);
        }
        // A Ctrl-C whose byte did not fit in the ring.
        if INTERRUPT_PENDING.swap(false, Ordering::AcqRel) {
            cpu::irq_restore(saved);
            return Some(Input::Interrupt);
        }
        if waiter.pending() {
            cpu::irq_restore(saved);
            return Some(Input::Work);
        }
        cpu::irq_restore(saved);
        crate::time::wait_once(deadline, || {
            interrupt_pending() || waiter.pending() || input_waiting()
        });
    }
}

/// Writes text to the console, turning `\n` into `\r\n`.
pub fn write(bytes: &[u8]) {
    let mut lines = bytes.split(|&byte| byte == b'\n');
    if let Some(first) = lines.next() {
        write_sinks(first);
    }
    for line in lines {
        write_sinks(b"\r\n");
        write_sinks(line);
    }
    remember_tail(bytes);
}

/// Writes raw bytes (terminal control output, protocol framing) as they are.
pub fn write_raw(bytes: &[u8]) {
    write_sinks(bytes);
}

/// The text after the last newline written: the prompt `input()` printed before reading.
static LINE_TAIL: Mutex<String> = Mutex::new(String::new());

fn remember_tail(bytes: &[u8]) {
    let Ok(mut tail) = LINE_TAIL.lock() else {
        return;
    };
    match bytes.iter().rposition(|&b| b == b'\n') {
        Some(position) => {
            tail.clear();
            tail.push_str(&String::from_utf8_lossy(&bytes[position + 1..]));
        }
        None => tail.push_str(&String::from_utf8_lossy(bytes)),
    }
    if tail.len() > 256 {
        tail.clear();
    }
}

/// How [`read_line`] ended.
pub enum LineResult {
    /// A line (without its newline).
    Line(String),
    /// Ctrl-C.
    Interrupt,
    /// Ctrl-D on an empty line.
    EndOfFile,
}

/// History entries kept by the line editor.
const HISTORY_ENTRIES: usize = 100;

static EDITOR: Mutex<Option<Editor>> = Mutex::new(None);

/// Runs `f` with the line editor (the REPL and `input()` share it, and its history).
pub fn with_editor<R>(f: impl FnOnce(&mut Editor) -> R) -> R {
    let mut guard = EDITOR
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    f(guard.get_or_insert_with(new_editor))
}

fn new_editor() -> Editor {
    Editor::new(HISTORY_ENTRIES).with_completion(true)
}

/// Records that a line ended (the prompt of the next `input()` starts after it).
pub fn line_ended() {
    remember_tail(b"\n");
}

/// Reads one line with editing and history. `prompt` is printed first; `None` means "the text
/// already on the current line" (what `input("...")` printed), which redraws keep.
pub fn read_line(prompt: Option<&str>, waiter: &mut dyn Waiter) -> LineResult {
    let mut guard = EDITOR
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let editor = guard.get_or_insert_with(new_editor);
    let mut output = Vec::new();
    match prompt {
        Some(prompt) => {
            editor.start(prompt, &mut output);
            write(&output);
        }
        None => {
            // The prompt is on screen already: the editor only needs it for redraws.
            let tail = LINE_TAIL
                .lock()
                .map(|tail| tail.clone())
                .unwrap_or_default();
            editor.start(&tail, &mut Vec::new());
        }
    }
    loop {
        let byte = match read_input(waiter) {
            Input::Byte(byte) => byte,
            Input::Interrupt => INTERRUPT_BYTE,
            Input::Work => {
                if waiter.run() {
                    continue;
                }
                INTERRUPT_BYTE
            }
        };
        output.clear();
        let event = editor.feed(byte, &mut output);
        write_raw(&output);
        match event {
            Event::Pending => {}
            Event::Line(line) => {
                remember_tail(b"\n");
                return LineResult::Line(line);
            }
            Event::Interrupt => {
                remember_tail(b"\n");
                return LineResult::Interrupt;
            }
            Event::EndOfFile => {
                remember_tail(b"\n");
                return LineResult::EndOfFile;
            }
            Event::Complete => {
                // No completion inside input(): Tab indents.
                output.clear();
                editor.insert_text("    ", &mut output);
                write_raw(&output);
            }
        }
    }
}

/// Console output that needs no lock and no allocation: for fault reports and panics. Every
/// sink gets it through its emergency path (the screen too, whatever the REPL mode).
pub struct PanicWriter;

impl core::fmt::Write for PanicWriter {
    fn write_str(&mut self, text: &str) -> core::fmt::Result {
        each_sink(|sink| sink.write_emergency(text.as_bytes()));
        Ok(())
    }
}

/// Reports Rust panics through [`PanicWriter`] (every sink's emergency path: no allocation, so
/// the report reaches the screen even when the heap is what failed).
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        use core::fmt::Write;
        let _ = write!(PanicWriter, "\r\n*** PiPyOS: Rust panic: {info}\r\n");
    }));
}

/// Flushes every sink after a report, before a reboot or halt.
pub fn flush_emergency() {
    flush();
}

/// True if a Ctrl-C is waiting to be handled (without taking it).
pub fn interrupt_pending() -> bool {
    INTERRUPT_PENDING.load(Ordering::Acquire)
}
