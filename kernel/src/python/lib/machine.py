"""machine: MicroPython's hardware API on the Raspberry Pi 1 / Zero (BCM2835).

Pin, Timer, PWM, I2C, SPI, UART (the mini UART), WDT, and freq/reset/unique_id/idle,
disable_irq/enable_irq, mem8/mem16/mem32, time_pulse_us. Callbacks (Timer, Pin.irq) run in the
Python context between two bytecode instructions, scheduled from the interrupt, never inside
it (as micropython.schedule does). The real-time tasks are the `rt` module's.
"""

import _machine
import _pipyos

__all__ = ["Pin", "Timer", "PWM", "I2C", "SPI", "UART", "WDT", "freq", "reset", "soft_reset",
           "unique_id", "idle", "disable_irq", "enable_irq", "mem8", "mem16", "mem32",
           "time_pulse_us", "reset_cause", "PWRON_RESET", "SOFT_RESET"]

PWRON_RESET = 1
SOFT_RESET = 5

# GPFSEL codes of the pin functions.
_ALT_CODES = (0b100, 0b101, 0b110, 0b111, 0b011, 0b010)

_handlers = getattr(_pipyos, "_event_handlers", None)
if _handlers is None:
    _handlers = {}
    _pipyos._event_handlers = _handlers


def _pin_number(pin):
    if isinstance(pin, Pin):
        return pin._id
    if isinstance(pin, str):
        name = pin.upper()
        if name.startswith("GPIO") and name[4:].isdigit():
            return int(name[4:])
        raise ValueError("invalid pin name %r (use e.g. 'GPIO17' or 17)" % (pin,))
    if isinstance(pin, bool) or not isinstance(pin, int):
        raise TypeError("a pin is an int, a 'GPIOn' name or a Pin, not %s" % type(pin).__name__)
    if not 0 <= pin <= 53:
        raise ValueError("invalid pin %d: the BCM2835 has GPIO 0 to 53" % pin)
    return pin


class Pin:
    """A GPIO pin: Pin(id, mode=-1, pull=-1, *, value=None, alt=-1)."""

    IN = 0
    OUT = 1
    OPEN_DRAIN = 2
    ALT = 3
    ALT0, ALT1, ALT2, ALT3, ALT4, ALT5 = 10, 11, 12, 13, 14, 15
    PULL_UP = 1
    PULL_DOWN = 2
    IRQ_FALLING = 4
    IRQ_RISING = 8

    _irq_handlers = {}

    def __init__(self, id, mode=-1, pull=-1, *, value=None, alt=-1):
        self._id = _pin_number(id)
        self.init(mode, pull, value=value, alt=alt)

    def init(self, mode=-1, pull=-1, *, value=None, alt=-1):
        """Sets the mode (IN, OUT, ALT with alt=0..5, or ALT0..ALT5), pull and initial value."""
        if pull not in (-1, None, Pin.PULL_UP, Pin.PULL_DOWN):
            raise ValueError("invalid pull %r (use Pin.PULL_UP, Pin.PULL_DOWN or None)" % (pull,))
        pull_code = -1 if pull == -1 else (0 if pull is None else pull)
        if mode == -1:
            if pull_code != -1:
                _machine.pin_setup(self._id, _machine.pin_function(self._id), pull_code)
        elif mode == Pin.IN:
            _machine.pin_setup(self._id, 0, pull_code)
        elif mode == Pin.OUT:
            if value is not None:
                _machine.pin_write(self._id, bool(value))
            _machine.pin_setup(self._id, 1, pull_code)
        elif mode == Pin.OPEN_DRAIN:
            raise ValueError("the BCM2835 has no open-drain outputs (Pin.OPEN_DRAIN)")
        elif mode == Pin.ALT or Pin.ALT0 <= mode <= Pin.ALT5:
            number = alt if mode == Pin.ALT else mode - Pin.ALT0
            if not 0 <= number <= 5:
                raise ValueError("invalid alternate function %r (0 to 5)" % (number,))
            _machine.pin_setup(self._id, _ALT_CODES[number], pull_code)
        else:
            raise ValueError("invalid pin mode %r" % (mode,))
        if value is not None and mode != Pin.OUT:
            _machine.pin_write(self._id, bool(value))

    def value(self, x=None):
        """The pin's level (0 or 1), or drives it to `x`."""
        if x is None:
            return int(_machine.pin_read(self._id))
        _machine.pin_write(self._id, bool(x))

    __call__ = value

    def on(self):
        _machine.pin_write(self._id, True)

    def off(self):
        _machine.pin_write(self._id, False)

    high = on
    low = off

    def toggle(self):
        _machine.pin_write(self._id, not _machine.pin_read(self._id))

    def mode(self):
        code = _machine.pin_function(self._id)
        if code in (0, 1):
            return code
        return Pin.ALT0 + _ALT_CODES.index(code)

    def irq(self, handler=None, trigger=IRQ_FALLING | IRQ_RISING, *, hard=False):
        """Calls `handler(pin)` (scheduled, in the Python context) on the given edges."""
        if trigger & ~(Pin.IRQ_FALLING | Pin.IRQ_RISING):
            raise ValueError("invalid trigger %r (Pin.IRQ_FALLING | Pin.IRQ_RISING)" % (trigger,))
        if handler is None:
            Pin._irq_handlers.pop(self._id, None)
            _machine.pin_irq(self._id, False, False)
            return None
        Pin._irq_handlers[self._id] = (self, handler)
        _machine.pin_irq(self._id, bool(trigger & Pin.IRQ_RISING),
                         bool(trigger & Pin.IRQ_FALLING))
        return _IRQ(self)

    @staticmethod
    def _dispatch(number):
        entry = Pin._irq_handlers.get(number)
        if entry is not None:
            entry[1](entry[0])

    def __repr__(self):
        return "Pin(GPIO%d, mode=%s)" % (self._id, self.mode())


class _IRQ:
    def __init__(self, pin):
        self._pin = pin

    def trigger(self):
        return 0


class Timer:
    """A virtual timer: Timer(id=-1, *, mode=Timer.PERIODIC, period=-1, freq=-1, callback=None).

    `period` is in milliseconds (`tick_hz=1000000` takes microseconds); the callback gets the
    Timer and runs in the Python context, scheduled from the timer interrupt."""

    ONE_SHOT = 0
    PERIODIC = 1
    _timers = {}
    _next_number = 1

    def __init__(self, id=-1, **kwargs):
        self._id = id
        self._number = Timer._next_number
        Timer._next_number += 1
        self._callback = None
        if kwargs:
            self.init(**kwargs)

    def init(self, *, mode=PERIODIC, period=-1, freq=-1, callback=None, tick_hz=1000):
        if mode not in (Timer.ONE_SHOT, Timer.PERIODIC):
            raise ValueError("invalid timer mode %r (Timer.ONE_SHOT or Timer.PERIODIC)" % (mode,))
        if freq != -1:
            if not freq > 0:
                raise ValueError("invalid timer frequency %r" % (freq,))
            period_us = round(1_000_000 / freq)
        elif period != -1:
            if tick_hz <= 0:
                raise ValueError("invalid tick_hz %r" % (tick_hz,))
            period_us = round(period * 1_000_000 / tick_hz)
        else:
            raise ValueError("a timer needs a period or a freq")
        if period_us <= 0:
            raise ValueError("invalid timer period %r" % (period,))
        self.deinit()
        self._callback = callback
        self._mode = mode
        Timer._timers[self._number] = self
        _machine.timer_start(self._number, period_us, mode == Timer.PERIODIC)

    def deinit(self):
        _machine.timer_stop(self._number)
        Timer._timers.pop(self._number, None)

    @staticmethod
    def _dispatch(number):
        timer = Timer._timers.get(number)
        if timer is None:
            return
        if timer._mode == Timer.ONE_SHOT:
            Timer._timers.pop(number, None)
        if timer._callback is not None:
            timer._callback(timer)

    def __repr__(self):
        return "Timer(%r)" % (self._id,)


_handlers[1] = Timer._dispatch
_handlers[2] = Pin._dispatch


class PWM:
    """PWM(pin, *, freq=..., duty_u16=..., duty_ns=..., invert=False) on GPIO 12, 13, 18, 19,
    40, 41 or 45 (the BCM2835 PWM block; two channels share one clock)."""

    def __init__(self, pin, *, freq=1000, duty_u16=None, duty_ns=None, invert=False):
        self._pin = _pin_number(pin)
        self._freq = None
        self._duty = 0
        self._invert = invert
        self.init(freq=freq, duty_u16=duty_u16, duty_ns=duty_ns)

    def init(self, *, freq=None, duty_u16=None, duty_ns=None):
        if freq is not None:
            self._freq = freq
        if self._freq is None:
            raise ValueError("a PWM needs a freq")
        if duty_ns is not None:
            duty_u16 = round(duty_ns * self._freq * 65535 / 1_000_000_000)
        if duty_u16 is not None:
            if not 0 <= duty_u16 <= 65535:
                raise ValueError("duty_u16 must lie in 0..65535, not %r" % (duty_u16,))
            self._duty = duty_u16
        self._made = _machine.pwm_init(self._pin, self._freq, self._duty, self._invert)

    def freq(self, value=None):
        if value is None:
            return self._made
        self.init(freq=value)

    def duty_u16(self, value=None):
        if value is None:
            return self._duty
        if not 0 <= value <= 65535:
            raise ValueError("duty_u16 must lie in 0..65535, not %r" % (value,))
        self._duty = value
        _machine.pwm_duty(self._pin, value)

    def duty_ns(self, value=None):
        if value is None:
            return round(self._duty * 1_000_000_000 / (65535 * self._made))
        self.duty_u16(min(65535, round(value * self._made * 65535 / 1_000_000_000)))

    def deinit(self):
        _machine.pwm_deinit(self._pin)

    def __repr__(self):
        return "PWM(GPIO%d, freq=%d, duty_u16=%d)" % (self._pin, self._made, self._duty)


class I2C:
    """I2C(id, *, scl=None, sda=None, freq=400000, timeout=50000): BSC0 (id 0, default pins
    SCL 1 / SDA 0) or BSC1 (id 1, SCL 3 / SDA 2)."""

    def __init__(self, id, *, scl=None, sda=None, freq=400000, timeout=50000):
        if id not in (0, 1):
            raise ValueError("invalid I2C bus %r: the BCM2835 has I2C 0 and 1" % (id,))
        default_scl, default_sda = ((1, 0), (3, 2))[id]
        self._id = id
        self._scl = default_scl if scl is None else _pin_number(scl)
        self._sda = default_sda if sda is None else _pin_number(sda)
        self._freq = _machine.i2c_init(id, self._scl, self._sda, freq, timeout)

    def scan(self):
        return _machine.i2c_scan(self._id)

    def writeto(self, addr, buf, stop=True):
        return _machine.i2c_write(self._id, self._address(addr), buf)

    def writevto(self, addr, vector, stop=True):
        return self.writeto(addr, b"".join(bytes(part) for part in vector), stop)

    def readfrom(self, addr, nbytes, stop=True):
        buffer = bytearray(nbytes)
        self.readfrom_into(addr, buffer, stop)
        return bytes(buffer)

    def readfrom_into(self, addr, buf, stop=True):
        _machine.i2c_readinto(self._id, self._address(addr), buf)

    def _memory_address(self, memaddr, addrsize):
        if addrsize not in (8, 16, 24, 32):
            raise ValueError("invalid addrsize %r (8, 16, 24 or 32)" % (addrsize,))
        return memaddr.to_bytes(addrsize // 8, "big")

    def readfrom_mem(self, addr, memaddr, nbytes, *, addrsize=8):
        buffer = bytearray(nbytes)
        self.readfrom_mem_into(addr, memaddr, buffer, addrsize=addrsize)
        return bytes(buffer)

    def readfrom_mem_into(self, addr, memaddr, buf, *, addrsize=8):
        _machine.i2c_write_readinto(self._id, self._address(addr),
                                    self._memory_address(memaddr, addrsize), buf)

    def writeto_mem(self, addr, memaddr, buf, *, addrsize=8):
        self.writeto(addr, self._memory_address(memaddr, addrsize) + bytes(buf))

    @staticmethod
    def _address(addr):
        if not isinstance(addr, int) or not 0 <= addr <= 0x7F:
            raise ValueError("invalid I2C address %r (0 to 0x7f)" % (addr,))
        return addr

    def __repr__(self):
        return "I2C(%d, scl=%d, sda=%d, freq=%d)" % (self._id, self._scl, self._sda, self._freq)


class SPI:
    """SPI(id=0, baudrate=1000000, *, polarity=0, phase=0, bits=8, firstbit=SPI.MSB, sck=11,
    mosi=10, miso=9): SPI0. Select the device with a Pin of your own."""

    MSB = 0
    LSB = 1

    def __init__(self, id=0, baudrate=1_000_000, *, polarity=0, phase=0, bits=8, firstbit=MSB,
                 sck=11, mosi=10, miso=9):
        if id != 0:
            raise ValueError("invalid SPI bus %r: PiPyOS drives SPI 0" % (id,))
        self.init(baudrate, polarity=polarity, phase=phase, bits=bits, firstbit=firstbit,
                  sck=sck, mosi=mosi, miso=miso)

    def init(self, baudrate=1_000_000, *, polarity=0, phase=0, bits=8, firstbit=MSB, sck=11,
             mosi=10, miso=9):
        if bits != 8:
            raise ValueError("invalid bits %r: SPI 0 transfers 8-bit words" % (bits,))
        if firstbit not in (SPI.MSB, SPI.LSB):
            raise ValueError("invalid firstbit %r (SPI.MSB or SPI.LSB)" % (firstbit,))
        self._baudrate = _machine.spi_init(baudrate, polarity, phase, firstbit == SPI.LSB,
                                           _pin_number(sck), _pin_number(mosi), _pin_number(miso))

    def deinit(self):
        pass

    def read(self, nbytes, write=0x00):
        buffer = bytearray(nbytes)
        _machine.spi_transfer(bytes([write]) * nbytes, buffer)
        return bytes(buffer)

    def readinto(self, buf, write=0x00):
        _machine.spi_transfer(bytes([write]) * len(buf), buf)

    def write(self, buf):
        _machine.spi_transfer(buf, None)

    def write_readinto(self, write_buf, read_buf):
        _machine.spi_transfer(write_buf, read_buf)

    def __repr__(self):
        return "SPI(0, baudrate=%d)" % self._baudrate


class UART:
    """UART(1, baudrate=115200, *, tx=32, rx=33, timeout=0): the mini UART. (UART 0, the PL011,
    is the console: use sys.stdin/sys.stdout.)"""

    def __init__(self, id=1, baudrate=115200, bits=8, parity=None, stop=1, *, tx=32, rx=33,
                 timeout=0):
        if id != 1:
            raise ValueError("invalid UART %r: UART 0 is the console; UART 1 is the mini UART"
                             % (id,))
        if bits != 8 or parity is not None or stop != 1:
            raise ValueError("the mini UART does 8N1 only")
        self._timeout_us = int(timeout * 1000)
        self._baudrate = _machine.uart_init(baudrate, _pin_number(tx), _pin_number(rx))

    def write(self, buf):
        return _machine.uart_write(buf)

    def read(self, nbytes=-1):
        data = bytes(_machine.uart_read(nbytes if nbytes >= 0 else 1 << 20, self._timeout_us))
        return data or None

    def readline(self):
        line = bytearray()
        while True:
            byte = _machine.uart_read(1, self._timeout_us)
            if not byte:
                return bytes(line) or None
            line += bytes(byte)
            if byte[0] == 10:
                return bytes(line)

    def any(self):
        return len(_machine.uart_read(0, 0))

    def __repr__(self):
        return "UART(1, baudrate=%d)" % self._baudrate


class WDT:
    """WDT(id=0, timeout=5000): resets the board unless fed within `timeout` ms."""

    def __init__(self, id=0, timeout=5000):
        if id != 0:
            raise ValueError("invalid watchdog %r" % (id,))
        self._timeout = timeout
        _machine.wdt_start(timeout)

    def feed(self):
        _machine.wdt_start(self._timeout)


class _Memory:
    def __init__(self, width):
        self._width = width

    def __getitem__(self, address):
        return _machine.mem_read(address, self._width)

    def __setitem__(self, address, value):
        _machine.mem_write(address, self._width, value)


mem8 = _Memory(1)
mem16 = _Memory(2)
mem32 = _Memory(4)


def freq():
    """The ARM clock frequency in Hz."""
    return _machine.freq()


def reset():
    """Resets the board (a hard reset through the watchdog)."""
    _machine.reset()


def soft_reset():
    """Restarts the interpreter (as Ctrl-D at the prompt)."""
    raise SystemExit


def reset_cause():
    return PWRON_RESET


def unique_id():
    """The board's serial number as 8 bytes."""
    return _machine.unique_id()


def idle():
    """Sleeps the CPU until the next interrupt."""
    _machine.idle()


def disable_irq():
    """Masks interrupts (the real-time tasks, on the FIQ, keep running); returns the state."""
    return _machine.disable_irq()


def enable_irq(state=0):
    _machine.enable_irq(state)


def time_pulse_us(pin, pulse_level, timeout_us=1_000_000):
    """Times a pulse of `pulse_level` on `pin` in µs; -2 if none started, -1 if it never ended."""
    import time
    number = _pin_number(pin)
    start = time.ticks_us()
    while _machine.pin_read(number) == bool(pulse_level):
        if time.ticks_diff(time.ticks_us(), start) > timeout_us:
            return -2
    while _machine.pin_read(number) != bool(pulse_level):
        if time.ticks_diff(time.ticks_us(), start) > timeout_us:
            return -2
    began = time.ticks_us()
    while _machine.pin_read(number) == bool(pulse_level):
        if time.ticks_diff(time.ticks_us(), began) > timeout_us:
            return -1
    return time.ticks_diff(time.ticks_us(), began)
