"""asyncio on PiPyOS: a blinking LED task, a timer-driven flag and a ticker, on one event loop
that sleeps the CPU between events. Run with `exec(open('/examples/blink_async.py').read())`.
"""

import asyncio

import machine

LED = machine.Pin(47, machine.Pin.OUT)  # the Pi Zero's activity LED


async def blink(times, period):
    for _ in range(times):
        LED.toggle()
        await asyncio.sleep(period)


async def tick(flag, times):
    for count in range(times):
        await flag.wait()
        print("tick", count)


async def main():
    flag = asyncio.ThreadSafeFlag()
    timer = machine.Timer(period=100, callback=lambda timer: flag.set())
    try:
        await asyncio.gather(blink(10, 0.05), tick(flag, 5))
    finally:
        timer.deinit()


asyncio.run(main())
