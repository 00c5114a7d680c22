"""The real-time square wave beside busy Python: starts the `square_wave` task (a Rust task in
the FIQ that toggles GPIO 21), changes its period, keeps Python busy, and prints the task's
release latency. Run it with `exec(open('/examples/square_wave.py').read())`, or copy it to your
app as main.py.
"""

import time

import rt

PERIODS_US = (500, 250, 1000)  # half-periods: 1 kHz, 2 kHz, 500 Hz square waves


def busy(milliseconds):
    """Python work that never yields: bytecode, a long native call, and heap churn."""
    end = time.ticks_add(time.ticks_ms(), milliseconds)
    total = 0
    while time.ticks_diff(end, time.ticks_ms()) > 0:
        total += sum(range(20000))
        scratch = [bytearray(32) for _ in range(50)]
        del scratch
    return total


def show(period_us):
    stats = rt.stats("square_wave")
    print("half-period %4d us: %5d releases, latency min/mean/p99/max %s/%s/%s/%s us, "
          "jitter %s us, %d deadline misses" % (
              period_us, stats["releases"], stats["latency_min_us"], stats["latency_mean_us"],
              stats["latency_p99_us"], stats["latency_max_us"], stats["jitter_us"],
              stats["deadline_misses"]))


info = rt.info()
print("square wave on GPIO %d" % info["square_wave_pin"])
rt.start("square_wave")
for period in PERIODS_US:
    rt.set_period("square_wave", period)
    rt.reset_stats("square_wave")
    busy(300)
    show(period)
rt.stop("square_wave")
print("longest FIQ run: %d us" % rt.info()["longest_fiq_us"])
