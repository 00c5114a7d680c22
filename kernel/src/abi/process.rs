//! Process-level calls: exit, abort, yield, futexes (one thread), and the out-of-memory report.
use super::hermit;
use crate::{bsp::rpi1, mem::heap};

#[unsafe(no_mangle)]
extern "C" fn sys_exit(status: i32) -> ! {
    rpi1::reboot(&format!("the program exited with status {status}"))
}

/// std's `abort` (after a panic message, or when an allocation failed).
#[unsafe(no_mangle)]
extern "C" fn sys_abort() -> ! {
    use core::fmt::Write;
    let mut out = crate::console::PanicWriter;
    if heap::last_allocation_failed() {
        let statistics = heap::statistics();
        let _ = write!(
            out,
            "\r\n*** PiPyOS: out of memory: an allocation failed and Rust cannot recover from it.\r\n\
             ***   heap in use {} KiB, free {} KiB (fragmented), peak {} KiB.\r\n\
             ***   Restarting with a fresh interpreter.\r\n",
            statistics.used / 1024,
            statistics.free / 1024,
            statistics.peak_used / 1024
        );
        rpi1::reboot("out of memory")
    }
    rpi1::panic_stop()
}

#[unsafe(no_mangle)]
extern "C" fn sys_yield() {}

#[unsafe(no_mangle)]
extern "C" fn sys_getpid() -> u32 {
    1
}

#[unsafe(no_mangle)]
extern "C" fn sys_available_parallelism() -> usize {
    1
}

#[unsafe(no_mangle)]
extern "C" fn sys_get_processor_count() -> usize {
    1
}

/// Waits while `*address == expected`. With one thread nobody else can change the value, so a
/// wait without timeout can never end: report it instead of hanging silently.
///
/// # Safety
/// `address` must be valid for reads; `timeout` null or valid.
#[unsafe(no_mangle)]
unsafe extern "C" fn sys_futex_wait(
    address: *mut u32,
    expected: u32,
    timeout: *const hermit::timespec,
    flags: u32,
) -> i32 {
    if address.is_null() {
        return -hermit::errno::EINVAL;
    }
    // SAFETY: std passes the address of a live futex word.
    if unsafe { core::ptr::read_volatile(address) } != expected {
        return -hermit::errno::EAGAIN;
    }
    if timeout.is_null() {
        panic!("deadlock: the only thread waits on a futex that nothing can wake");
    }
    // SAFETY: checked non-null; std passes a valid timespec.
    let timeout = unsafe { timeout.read() };
    let micros = (timeout.tv_sec.max(0) as u64)
        .saturating_mul(1_000_000)
        .saturating_add(timeout.tv_nsec.max(0) as u64 / 1000);
    let deadline = if flags & hermit::FUTEX_RELATIVE_TIMEOUT != 0 {
        crate::time::now_micros().saturating_add(micros)
    } else {
        micros
    };
    crate::time::sleep_until(deadline, || false);
    -hermit::errno::ETIMEDOUT
}

#[unsafe(no_mangle)]
extern "C" fn sys_futex_wake(address: *mut u32, count: i32) -> i32 {
    if address.is_null() || count < 0 {
        return -hermit::errno::EINVAL;
    }
    0
}

/// ARM EHABI personality routine: referenced by precompiled objects, never called with
/// `panic = "abort"`.
#[unsafe(no_mangle)]
extern "C" fn __aeabi_unwind_cpp_pr0() -> ! {
    panic!("unwinding is not supported (panic = abort)")
}
