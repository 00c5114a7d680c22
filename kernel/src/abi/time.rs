//! Clock calls: `sys_clock_gettime`, `sys_usleep`, `sys_nanosleep`, and the kernel's sleep.
//!
//! The monotonic clock is the 1 MHz system timer. The board has no battery-backed clock, so the
//! real-time clock starts at 2000-01-01 00:00:00 UTC at boot (as MicroPython boards do) until
//! Python sets it (`pipyos.set_time`).
use core::sync::atomic::{AtomicU64, Ordering};

use super::hermit;
use crate::{arch::arm::cpu, bsp::rpi1::TIMER, drivers::interface::Clock};

/// 2000-01-01T00:00:00Z in microseconds since the Unix epoch.
const DEFAULT_EPOCH_MICROS: u64 = 946_684_800_000_000;

/// Real time minus monotonic time, in microseconds.
static REALTIME_OFFSET: AtomicU64 = AtomicU64::new(DEFAULT_EPOCH_MICROS);

/// Microseconds since boot.
pub fn monotonic_micros() -> u64 {
    TIMER.now_micros()
}

/// Offset added to [`monotonic_micros`] to get Unix time in microseconds.
pub fn realtime_offset_micros() -> u64 {
    REALTIME_OFFSET.load(Ordering::Relaxed)
}

/// Sets the real-time clock to `unix_micros`.
pub fn set_realtime_micros(unix_micros: u64) {
    REALTIME_OFFSET.store(
        unix_micros.wrapping_sub(monotonic_micros()),
        Ordering::Relaxed,
    );
}

/// Longest single wait: the timer compares only the counter's low 32 bits.
const LONGEST_ALARM_MICROS: u64 = 1_000_000;

/// Sleeps until the monotonic clock reaches `deadline` (µs), waking on interrupts. Returns
/// `false` early if `interrupted()` becomes true.
pub fn sleep_until(deadline: u64, interrupted: impl Fn() -> bool) -> bool {
    loop {
        let now = monotonic_micros();
        if now >= deadline {
            return true;
        }
        if interrupted() {
            return false;
        }
        let saved = cpu::irq_save_and_disable();
        TIMER.set_alarm(deadline.min(now + LONGEST_ALARM_MICROS));
        // Re-check after arming: an alarm set in the past would not fire until the counter wraps.
        if monotonic_micros() < deadline.min(now + LONGEST_ALARM_MICROS) {
            cpu::wait_for_interrupt();
        }
        cpu::irq_restore(saved);
    }
}

fn write_timespec(target: *mut hermit::timespec, micros: u64) {
    let value = hermit::timespec {
        tv_sec: (micros / 1_000_000) as i64,
        tv_nsec: ((micros % 1_000_000) * 1000) as i32,
    };
    // SAFETY: std passes a valid, writable timespec.
    unsafe { target.write(value) };
}

#[unsafe(no_mangle)]
extern "C" fn sys_clock_gettime(clock: hermit::clockid_t, target: *mut hermit::timespec) -> i32 {
    if target.is_null() {
        return -hermit::errno::EINVAL;
    }
    match clock {
        hermit::CLOCK_MONOTONIC => write_timespec(target, monotonic_micros()),
        hermit::CLOCK_REALTIME => write_timespec(
            target,
            monotonic_micros().wrapping_add(realtime_offset_micros()),
        ),
        _ => return -hermit::errno::EINVAL,
    }
    0
}

#[unsafe(no_mangle)]
extern "C" fn sys_usleep(micros: u64) {
    sleep_until(monotonic_micros().saturating_add(micros), || false);
}

#[unsafe(no_mangle)]
extern "C" fn sys_nanosleep(request: *const hermit::timespec) -> i32 {
    if request.is_null() {
        return -hermit::errno::EINVAL;
    }
    // SAFETY: std passes a valid timespec.
    let request = unsafe { request.read() };
    if request.tv_sec < 0 || !(0..1_000_000_000).contains(&request.tv_nsec) {
        return -hermit::errno::EINVAL;
    }
    let micros = (request.tv_sec as u64)
        .saturating_mul(1_000_000)
        .saturating_add(request.tv_nsec as u64 / 1000);
    sys_usleep(micros);
    0
}
