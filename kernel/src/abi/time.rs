//! Clock calls: `sys_clock_gettime`, `sys_usleep`, `sys_nanosleep`, over the kernel's `time`.
use super::hermit;
use crate::time;

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
        hermit::CLOCK_MONOTONIC => write_timespec(target, time::now_micros()),
        hermit::CLOCK_REALTIME => write_timespec(target, time::unix_micros()),
        _ => return -hermit::errno::EINVAL,
    }
    0
}

#[unsafe(no_mangle)]
extern "C" fn sys_usleep(micros: u64) {
    time::sleep_until(time::now_micros().saturating_add(micros), || false);
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
