"""MicroPython's asyncio extras, added to `asyncio` when it is imported: ThreadSafeFlag.

A ThreadSafeFlag is set from a machine.Timer or Pin.irq callback (which run in the Python
context, scheduled from the interrupt) and awaited by a coroutine; the event loop sleeps the CPU
until then.
"""


def install(asyncio):
    class ThreadSafeFlag:
        """A flag a callback sets and one coroutine awaits (MicroPython's asyncio API)."""

        def __init__(self):
            self._set = False
            self._waiter = None

        def set(self):
            self._set = True
            waiter = self._waiter
            if waiter is not None and not waiter.done():
                # Wakes the loop even while it sleeps in select().
                waiter.get_loop().call_soon_threadsafe(_wake, waiter)

        def clear(self):
            self._set = False

        def is_set(self):
            return self._set

        async def wait(self):
            if not self._set:
                self._waiter = asyncio.get_running_loop().create_future()
                try:
                    await self._waiter
                finally:
                    self._waiter = None
            self._set = False

    def _wake(waiter):
        if not waiter.done():
            waiter.set_result(None)

    asyncio.ThreadSafeFlag = ThreadSafeFlag
