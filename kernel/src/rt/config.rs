//! The real-time tasks: their static configuration, channels and code, all in this one file.
//!
//! Every task runs to completion in the FIQ (see `rt/mod.rs`), so a body must be short, must not
//! allocate, must not take an `IrqLock` (that is checked) and may only touch what is safe from
//! any context: the SPSC channels below, atomics, and single-register peripheral writes such as
//! GPIO set/clear. Adding a task: a row in [`TASKS`], its body in [`BODIES`], and its set-up (run
//! in the Python context before it starts) in [`SETUP`].
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use rtsched::{Channel, TaskConfig, TaskKind};

use super::Context;
use crate::{
    bsp::rpi1::GPIO,
    drivers::bcm2835_gpio::{Function, Pin},
};

// The tasks' indices in [`TASKS`], for Rust code that names a task (none does yet).
/// Index of the square-wave task.
#[allow(dead_code)]
pub const SQUARE_WAVE: usize = 0;
/// Index of the sampler task.
#[allow(dead_code)]
pub const SAMPLER: usize = 1;
/// Index of the command task.
#[allow(dead_code)]
pub const COMMAND: usize = 2;

/// The task table. Higher priority runs first when several are released at the same time.
pub static TASKS: [TaskConfig; 3] = [
    // Toggles SQUARE_WAVE_PIN every period: a square wave of 1 / (2 × period), 1 kHz by default.
    TaskConfig {
        name: "square_wave",
        priority: 30,
        kind: TaskKind::Periodic {
            period_us: 500,
            phase_us: 0,
            deadline_us: 100,
            min_period_us: 50,
            max_period_us: 1_000_000,
        },
    },
    // Reads the levels of GPIO 0..31 every period into the `samples` channel.
    TaskConfig {
        name: "sampler",
        priority: 20,
        kind: TaskKind::Periodic {
            period_us: 1_000,
            phase_us: 250,
            deadline_us: 500,
            min_period_us: 100,
            max_period_us: 1_000_000,
        },
    },
    // Released by Python (`rt.release("command")`) or by an interrupt: executes the words
    // waiting in the `commands` channel.
    TaskConfig::event("command", 25, 200),
];

// The table is checked when the kernel is compiled.
const _: () = match rtsched::validate(&TASKS) {
    Ok(()) => {}
    Err(error) => panic!("{}", error.message()),
};

/// The task bodies, by index.
pub static BODIES: [fn(&Context); 3] = [square_wave, sampler, command];

/// Set-up run in the Python context before a task starts (pin functions and the like).
pub static SETUP: [Option<fn()>; 3] = [Some(square_wave_setup), None, None];

/// The pin the square wave appears on (header pin 40).
pub const SQUARE_WAVE_PIN: u32 = 21;

/// Words from the tasks to Python (the sampler's pin levels, the command task's replies).
pub static SAMPLES: Channel<1024> = Channel::new();
/// Words from Python to the command task.
pub static COMMANDS: Channel<64> = Channel::new();

/// The channels Python can open by name, with their direction (true: Python reads).
pub static CHANNELS: [(&str, &dyn ChannelAccess, bool); 2] =
    [("samples", &SAMPLES, true), ("commands", &COMMANDS, false)];

/// What Python does with a channel, whatever its capacity.
pub trait ChannelAccess: Sync {
    /// Takes up to `output.len()` words; returns how many.
    fn pop_into(&self, output: &mut [u32]) -> usize;
    /// Adds a word; false if the channel is full.
    fn push(&self, word: u32) -> bool;
    /// Words waiting.
    fn len(&self) -> usize;
    /// Words it can hold.
    fn capacity(&self) -> usize;
    /// Words refused because it was full.
    fn dropped(&self) -> u32;
}

impl<const N: usize> ChannelAccess for Channel<N> {
    fn pop_into(&self, output: &mut [u32]) -> usize {
        Channel::pop_into(self, output)
    }
    fn push(&self, word: u32) -> bool {
        self.try_push(word).is_ok()
    }
    fn len(&self) -> usize {
        Channel::len(self)
    }
    fn capacity(&self) -> usize {
        Channel::capacity(self)
    }
    fn dropped(&self) -> u32 {
        Channel::dropped(self)
    }
}

/// The square wave's current level.
static SQUARE_WAVE_LEVEL: AtomicBool = AtomicBool::new(false);
/// Edges produced by the square-wave task since boot.
pub static SQUARE_WAVE_EDGES: AtomicU32 = AtomicU32::new(0);

fn square_wave_setup() {
    if let Ok(pin) = Pin::new(SQUARE_WAVE_PIN) {
        GPIO.set_low(pin);
        GPIO.set_function(pin, Function::Output);
    }
}

fn square_wave(_context: &Context) {
    let Ok(pin) = Pin::new(SQUARE_WAVE_PIN) else {
        return;
    };
    let high = !SQUARE_WAVE_LEVEL.load(Ordering::Relaxed);
    SQUARE_WAVE_LEVEL.store(high, Ordering::Relaxed);
    GPIO.write(pin, high);
    SQUARE_WAVE_EDGES.fetch_add(1, Ordering::Relaxed);
}

fn sampler(_context: &Context) {
    // GPLEV0: one register read gives the levels of pins 0..31.
    let levels = GPIO.levels_low_bank();
    let _ = SAMPLES.try_push(levels);
}

/// Command words: the top byte is the operation, the rest its argument.
mod operation {
    /// Drive pin `argument & 0xff` high.
    pub const PIN_HIGH: u32 = 1;
    /// Drive pin `argument & 0xff` low.
    pub const PIN_LOW: u32 = 2;
    /// Send `argument` back on the `samples` channel.
    pub const ECHO: u32 = 3;
}

fn command(_context: &Context) {
    while let Some(word) = COMMANDS.try_pop() {
        let argument = word & 0x00ff_ffff;
        match word >> 24 {
            operation::PIN_HIGH | operation::PIN_LOW => {
                if let Ok(pin) = Pin::new(argument & 0xff) {
                    GPIO.write(pin, word >> 24 == operation::PIN_HIGH);
                }
            }
            operation::ECHO => {
                let _ = SAMPLES.try_push(argument);
            }
            _ => {}
        }
    }
}
