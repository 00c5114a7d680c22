//! `_machine`: the native half of MicroPython's `machine` module (the Python half is
//! `lib/machine.py`): pins, timers, PWM, I2C, SPI, the mini UART, the watchdog, raw memory.
//!
//! Every argument is checked here, and a bad value raises `ValueError` naming it; hardware
//! failures (an I2C NACK, a timeout) raise `OSError` with the matching errno.
pub(crate) use machine::module_def;

use std::sync::Mutex;

use bcm2835::{
    clock_manager::{ClockManager, ClockSource},
    i2c::I2c,
    mini_uart::MiniUart,
    pwm::Pwm,
    spi::Spi,
};

use crate::drivers::{DelayClock, MmioBus};

type BoardPwm = Pwm<MmioBus, MmioBus, DelayClock>;
type BoardI2c = I2c<MmioBus, DelayClock>;
type BoardSpi = Spi<MmioBus, DelayClock>;
type BoardUart = MiniUart<MmioBus, DelayClock>;

/// Peripherals set up from Python (the Python context is the only user).
struct Peripherals {
    pwm: Option<BoardPwm>,
    i2c: [Option<BoardI2c>; 2],
    spi: Option<BoardSpi>,
    uart: Option<BoardUart>,
    timers: Vec<(u32, crate::time::Deadline)>,
}

static PERIPHERALS: Mutex<Peripherals> = Mutex::new(Peripherals {
    pwm: None,
    i2c: [None, None],
    spi: None,
    uart: None,
    timers: Vec::new(),
});

fn peripherals() -> std::sync::MutexGuard<'static, Peripherals> {
    PERIPHERALS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The bus of the peripheral block at `base` (one of the bsp's addresses).
fn bus(base: usize) -> MmioBus {
    // SAFETY: every caller passes one of the BCM2835 peripheral bases from `memory::map`,
    // which the MMU maps as device memory for the kernel's whole life.
    unsafe { MmioBus::new(base) }
}

/// Whether a peripheral block answers at all (QEMU leaves some out: an access aborts).
fn present(base: usize) -> bool {
    // SAFETY: `base` is a peripheral block's first register (aligned, device memory).
    unsafe { crate::arch::arm::probe::read(base) }.is_some()
}

/// A `machine.Timer` expiry (IRQ context): hand it to the Python context.
fn timer_expired(number: u32, _missed: u64) {
    super::interrupt::schedule_from_interrupt(super::interrupt::event::TIMER, number);
}

/// The GPIO interrupts (banks 0 and 1): report every pin whose event fired, clear them.
fn gpio_interrupt() {
    let gpio = &crate::bsp::rpi1::GPIO;
    let mut pending = gpio.pending_events();
    gpio.clear_events(pending);
    while pending != 0 {
        let pin = pending.trailing_zeros();
        pending &= pending - 1;
        super::interrupt::schedule_from_interrupt(super::interrupt::event::PIN, pin);
    }
}

#[rustpython_vm::pymodule(name = "_machine")]
mod machine {
    use rustpython_vm::{
        builtins::PyBaseExceptionRef,
        function::{ArgBytesLike, ArgMemoryBuffer},
        PyObjectRef, PyResult, VirtualMachine,
    };

    use super::*;
    use crate::{
        arch::arm::{cpu, mmu::SectionKind},
        bsp::rpi1::{self, memory, GPIO, WATCHDOG},
        drivers::bcm2835_gpio::{Function, Pin},
        time,
    };

    /// A `bcm2835` driver error as the Python exception MicroPython raises for it.
    fn error(vm: &VirtualMachine, error: bcm2835::Error) -> PyBaseExceptionRef {
        use bcm2835::Error;
        match error {
            Error::Nack { .. } => {
                crate::python::posix::os_error_with_message(vm, 19, &error.to_string())
            }
            Error::Timeout { .. } | Error::ClockStretchTimeout { .. } => {
                crate::python::posix::os_error_with_message(vm, 110, &error.to_string())
            }
            Error::Incomplete { .. } | Error::ClockBusy(_) => {
                crate::python::posix::os_error_with_message(vm, 5, &error.to_string())
            }
            other if other.is_invalid_argument() => vm.new_value_error(other.to_string()),
            other => crate::python::posix::os_error_with_message(vm, 5, &other.to_string()),
        }
    }

    fn pin(number: i64, vm: &VirtualMachine) -> PyResult<Pin> {
        u32::try_from(number)
            .ok()
            .and_then(|number| Pin::new(number).ok())
            .ok_or_else(|| {
                vm.new_value_error(format!(
                    "invalid pin {number}: the BCM2835 has GPIO 0 to 53"
                ))
            })
    }

    fn console_pin(number: u32) -> bool {
        number == memory::pins::UART0_TXD || number == memory::pins::UART0_RXD
    }

    /// Sets a pin's function (0 input, 1 output, 4..7 and 2, 3: ALT0..ALT5 codes as GPFSEL) and
    /// pull (0 none, 1 up, 2 down, -1 leave).
    #[pyfunction]
    fn pin_setup(number: i64, function: i64, pull: i64, vm: &VirtualMachine) -> PyResult<()> {
        let pin = pin(number, vm)?;
        let function = u32::try_from(function)
            .ok()
            .and_then(|code| (code < 8).then(|| Function::from_code(code)))
            .ok_or_else(|| vm.new_value_error(format!("invalid pin mode {function}")))?;
        if console_pin(pin.number()) && function != Function::Alt0 {
            return Err(vm.new_value_error(format!(
                "pin {} carries the serial console (PL011); it cannot be reconfigured",
                pin.number()
            )));
        }
        match pull {
            -1 => {}
            0 => GPIO.set_pull(pin, bcm2835::gpio::Pull::Off),
            1 => GPIO.set_pull(pin, bcm2835::gpio::Pull::Up),
            2 => GPIO.set_pull(pin, bcm2835::gpio::Pull::Down),
            other => return Err(vm.new_value_error(format!("invalid pin pull {other}"))),
        }
        GPIO.set_function(pin, function);
        Ok(())
    }

    /// The GPFSEL code of a pin's function.
    #[pyfunction]
    fn pin_function(number: i64, vm: &VirtualMachine) -> PyResult<u32> {
        Ok(GPIO.function(pin(number, vm)?).code())
    }

    /// Drives an output pin.
    #[pyfunction]
    fn pin_write(number: i64, high: bool, vm: &VirtualMachine) -> PyResult<()> {
        let pin = pin(number, vm)?;
        if console_pin(pin.number()) {
            return Err(vm.new_value_error(format!(
                "pin {} carries the serial console (PL011)",
                pin.number()
            )));
        }
        GPIO.write(pin, high);
        Ok(())
    }

    /// A pin's level (GPLEVn).
    #[pyfunction]
    fn pin_read(number: i64, vm: &VirtualMachine) -> PyResult<bool> {
        Ok(GPIO.is_high(pin(number, vm)?))
    }

    /// Enables (or with both false, disables) edge interrupts of a pin; the events reach
    /// `_pipyos._event_handlers[2]` in the Python context.
    #[pyfunction]
    fn pin_irq(number: i64, rising: bool, falling: bool, vm: &VirtualMachine) -> PyResult<()> {
        use bcm2835::gpio::Detect;
        let pin = pin(number, vm)?;
        for source in [memory::irq::GPIO_BANK0, memory::irq::GPIO_BANK1] {
            // Registered once for every pin; a second registration is refused, which is fine.
            let _ = crate::interrupts::register(source, gpio_interrupt);
        }
        GPIO.clear_event(pin);
        GPIO.set_detect(pin, Detect::RisingEdge, rising);
        GPIO.set_detect(pin, Detect::FallingEdge, falling);
        Ok(())
    }

    /// Starts timer `number`: first expiry after `period_us`, then every `period_us` if
    /// `periodic`. Its expiries reach `_pipyos._event_handlers[1]` in the Python context.
    #[pyfunction]
    fn timer_start(
        number: u32,
        period_us: i64,
        periodic: bool,
        vm: &VirtualMachine,
    ) -> PyResult<()> {
        let period = u64::try_from(period_us)
            .ok()
            .filter(|&period| period > 0)
            .ok_or_else(|| {
                vm.new_value_error(format!("timer period must be positive, not {period_us} µs"))
            })?;
        timer_stop(number);
        let deadline = time::schedule(
            time::now_micros() + period,
            if periodic { period } else { 0 },
            Some(timer_expired),
            number,
        )
        .map_err(|_| vm.new_os_error("too many timers and sleeps pending".to_owned()))?;
        peripherals().timers.push((number, deadline));
        Ok(())
    }

    /// Stops timer `number`.
    #[pyfunction]
    fn timer_stop(number: u32) {
        let mut peripherals = peripherals();
        peripherals.timers.retain(|&(timer, deadline)| {
            if timer == number {
                time::cancel(deadline);
                false
            } else {
                true
            }
        });
    }

    /// Sets up PWM on `pin` at `frequency` Hz with a duty of `duty_u16` / 65535; returns the
    /// frequency made.
    #[pyfunction]
    fn pwm_init(
        number: i64,
        frequency: i64,
        duty_u16: i64,
        invert: bool,
        vm: &VirtualMachine,
    ) -> PyResult<u32> {
        let pin = pin(number, vm)?;
        let frequency = u32::try_from(frequency)
            .ok()
            .filter(|&hz| hz > 0)
            .ok_or_else(|| vm.new_value_error(format!("invalid PWM frequency {frequency} Hz")))?;
        let duty = u16::try_from(duty_u16).map_err(|_| {
            vm.new_value_error(format!("duty_u16 must lie in 0..=65535, not {duty_u16}"))
        })?;
        let (channel, route) =
            bcm2835::pins::pwm_channel_for(pin.number()).map_err(|e| error(vm, e))?;
        if !present(memory::map::PWM) {
            return Err(crate::python::posix::os_error_with_message(
                vm,
                19,
                "the PWM block does not answer (QEMU does not emulate it)",
            ));
        }
        let mut peripherals = peripherals();
        let pwm = peripherals.pwm.get_or_insert_with(|| {
            Pwm::new(
                bus(memory::map::PWM),
                ClockManager::new(bus(memory::map::CLOCK_MANAGER), DelayClock),
                ClockSource::PllD,
            )
        });
        let mut settings = pwm.settings(channel);
        settings.polarity = if invert {
            bcm2835::pwm::Polarity::Inverted
        } else {
            bcm2835::pwm::Polarity::Normal
        };
        pwm.set_settings(channel, settings);
        let plan = pwm
            .set_frequency_and_duty(channel, frequency, duty)
            .map_err(|e| error(vm, e))?;
        GPIO.set_function(route.pin, route.function);
        Ok(plan.achieved_hz())
    }

    /// Changes the duty of the PWM channel on `pin`.
    #[pyfunction]
    fn pwm_duty(number: i64, duty_u16: i64, vm: &VirtualMachine) -> PyResult<()> {
        let pin = pin(number, vm)?;
        let duty = u16::try_from(duty_u16).map_err(|_| {
            vm.new_value_error(format!("duty_u16 must lie in 0..=65535, not {duty_u16}"))
        })?;
        let (channel, _) =
            bcm2835::pins::pwm_channel_for(pin.number()).map_err(|e| error(vm, e))?;
        let mut peripherals = peripherals();
        let pwm = peripherals
            .pwm
            .as_mut()
            .ok_or_else(|| vm.new_value_error("PWM is not set up on this pin".to_owned()))?;
        pwm.set_duty(channel, duty).map_err(|e| error(vm, e))
    }

    /// Stops the PWM channel on `pin` and makes the pin an input again.
    #[pyfunction]
    fn pwm_deinit(number: i64, vm: &VirtualMachine) -> PyResult<()> {
        let pin = pin(number, vm)?;
        let (channel, _) =
            bcm2835::pins::pwm_channel_for(pin.number()).map_err(|e| error(vm, e))?;
        if let Some(pwm) = peripherals().pwm.as_mut() {
            pwm.disable(channel);
        }
        GPIO.set_function(pin, Function::Input);
        Ok(())
    }

    fn i2c_index(id: i64, vm: &VirtualMachine) -> PyResult<usize> {
        match id {
            0 | 1 => Ok(id as usize),
            other => Err(vm.new_value_error(format!(
                "invalid I2C bus {other}: the BCM2835 has I2C 0 (BSC0) and 1 (BSC1)"
            ))),
        }
    }

    /// Sets up I2C bus `id` on pins `scl`/`sda` at `frequency` Hz; returns the frequency made.
    #[pyfunction]
    fn i2c_init(
        id: i64,
        scl: i64,
        sda: i64,
        frequency: i64,
        timeout_us: i64,
        vm: &VirtualMachine,
    ) -> PyResult<u32> {
        let index = i2c_index(id, vm)?;
        let controller =
            bcm2835::i2c::Controller::from_index(index as u32).map_err(|e| error(vm, e))?;
        let pins = bcm2835::pins::i2c_pins(
            controller,
            u32::try_from(scl).unwrap_or(u32::MAX),
            u32::try_from(sda).unwrap_or(u32::MAX),
        )
        .map_err(|e| error(vm, e))?;
        let frequency = u32::try_from(frequency)
            .ok()
            .filter(|&hz| hz > 0)
            .ok_or_else(|| vm.new_value_error(format!("invalid I2C frequency {frequency} Hz")))?;
        let config = bcm2835::i2c::I2cConfig {
            frequency_hz: frequency,
            core_clock_hz: rpi1::board().core_clock_or_default(),
            timeout_slack_micros: u32::try_from(timeout_us.max(0)).unwrap_or(u32::MAX),
            ..bcm2835::i2c::I2cConfig::default()
        };
        let driver =
            I2c::init(bus(controller.base()), DelayClock, config).map_err(|e| error(vm, e))?;
        for route in [pins.scl, pins.sda] {
            GPIO.set_function(route.pin, route.function);
        }
        let made = driver.frequency_hz();
        peripherals().i2c[index] = Some(driver);
        Ok(made)
    }

    fn with_i2c<R>(
        id: i64,
        vm: &VirtualMachine,
        body: impl FnOnce(&mut BoardI2c) -> Result<R, bcm2835::Error>,
    ) -> PyResult<R> {
        let index = i2c_index(id, vm)?;
        let mut peripherals = peripherals();
        let driver = peripherals.i2c[index]
            .as_mut()
            .ok_or_else(|| vm.new_value_error(format!("I2C bus {id} is not set up")))?;
        body(driver).map_err(|e| error(vm, e))
    }

    /// Writes `data` to `address` on bus `id`.
    #[pyfunction]
    fn i2c_write(
        id: i64,
        address: u32,
        data: ArgBytesLike,
        vm: &VirtualMachine,
    ) -> PyResult<usize> {
        let bytes = data.borrow_buf().to_vec();
        with_i2c(id, vm, |driver| driver.write(address, &bytes))?;
        Ok(bytes.len())
    }

    /// Reads into `buffer` from `address` on bus `id`.
    #[pyfunction]
    fn i2c_readinto(
        id: i64,
        address: u32,
        buffer: ArgMemoryBuffer,
        vm: &VirtualMachine,
    ) -> PyResult<()> {
        let mut bytes = vec![0u8; buffer.len()];
        with_i2c(id, vm, |driver| driver.read(address, &mut bytes))?;
        buffer.borrow_buf_mut().copy_from_slice(&bytes);
        Ok(())
    }

    /// Writes `data` then reads into `buffer` with a repeated start (register reads).
    #[pyfunction]
    fn i2c_write_readinto(
        id: i64,
        address: u32,
        data: ArgBytesLike,
        buffer: ArgMemoryBuffer,
        vm: &VirtualMachine,
    ) -> PyResult<()> {
        let written = data.borrow_buf().to_vec();
        let mut bytes = vec![0u8; buffer.len()];
        with_i2c(id, vm, |driver| {
            driver.write_read(address, &written, &mut bytes)
        })?;
        buffer.borrow_buf_mut().copy_from_slice(&bytes);
        Ok(())
    }

    /// The addresses that answer on bus `id`.
    #[pyfunction]
    fn i2c_scan(id: i64, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        let found = with_i2c(id, vm, |driver| driver.scan())?;
        Ok(found.iter().collect())
    }

    /// Sets up SPI0: `baudrate`, `polarity`, `phase`, MSB first unless `lsb_first`, on pins
    /// `sck`, `mosi`, `miso`; returns the rate made. Chip select is the caller's (a `Pin`).
    #[pyfunction]
    #[allow(clippy::too_many_arguments)]
    fn spi_init(
        baudrate: i64,
        polarity: i64,
        phase: i64,
        lsb_first: bool,
        sck: i64,
        mosi: i64,
        miso: i64,
        vm: &VirtualMachine,
    ) -> PyResult<u32> {
        let pins = bcm2835::pins::spi0_pins(
            u32::try_from(sck).unwrap_or(u32::MAX),
            u32::try_from(mosi).unwrap_or(u32::MAX),
            u32::try_from(miso).unwrap_or(u32::MAX),
        )
        .map_err(|e| error(vm, e))?;
        let mode = bcm2835::spi::Mode::from_polarity_phase(
            u32::try_from(polarity).unwrap_or(u32::MAX),
            u32::try_from(phase).unwrap_or(u32::MAX),
        )
        .map_err(|e| error(vm, e))?;
        let baudrate = u32::try_from(baudrate)
            .ok()
            .filter(|&hz| hz > 0)
            .ok_or_else(|| vm.new_value_error(format!("invalid SPI baudrate {baudrate}")))?;
        let config = bcm2835::spi::SpiConfig {
            frequency_hz: baudrate,
            core_clock_hz: rpi1::board().core_clock_or_default(),
            mode,
            chip_select: bcm2835::spi::ChipSelect::None,
            bit_order: if lsb_first {
                bcm2835::spi::BitOrder::LsbFirst
            } else {
                bcm2835::spi::BitOrder::MsbFirst
            },
            ..bcm2835::spi::SpiConfig::default()
        };
        let driver =
            Spi::init(bus(memory::map::SPI0), DelayClock, config).map_err(|e| error(vm, e))?;
        for route in [pins.sck, pins.mosi, pins.miso] {
            GPIO.set_function(route.pin, route.function);
        }
        let made = driver.frequency_hz();
        peripherals().spi = Some(driver);
        Ok(made)
    }

    /// Clocks `data` out and the same number of bytes into `buffer` (SPI0).
    #[pyfunction]
    fn spi_transfer(
        data: ArgBytesLike,
        buffer: Option<ArgMemoryBuffer>,
        vm: &VirtualMachine,
    ) -> PyResult<()> {
        let written = data.borrow_buf().to_vec();
        let mut peripherals = peripherals();
        let driver = peripherals
            .spi
            .as_mut()
            .ok_or_else(|| vm.new_value_error("SPI 0 is not set up".to_owned()))?;
        match buffer {
            Some(buffer) => {
                if buffer.len() != written.len() {
                    return Err(vm.new_value_error(format!(
                        "write and read buffers differ in length ({} and {})",
                        written.len(),
                        buffer.len()
                    )));
                }
                let mut bytes = vec![0u8; written.len()];
                driver
                    .write_readinto(&written, &mut bytes)
                    .map_err(|e| error(vm, e))?;
                buffer.borrow_buf_mut().copy_from_slice(&bytes);
                Ok(())
            }
            None => driver.write(&written).map_err(|e| error(vm, e)),
        }
    }

    /// Sets up the mini UART (UART 1) at `baudrate` on pins `tx`/`rx`; returns the rate made.
    #[pyfunction]
    fn uart_init(baudrate: i64, tx: i64, rx: i64, vm: &VirtualMachine) -> PyResult<u32> {
        let tx = u32::try_from(tx).unwrap_or(u32::MAX);
        let rx = u32::try_from(rx).unwrap_or(u32::MAX);
        if console_pin(tx) || console_pin(rx) {
            return Err(vm.new_value_error(
                "pins 14 and 15 carry the serial console (PL011): use tx=32, rx=33 or tx=40, rx=41"
                    .to_owned(),
            ));
        }
        let pins = bcm2835::pins::uart1_pins(tx, rx).map_err(|e| error(vm, e))?;
        let baud = u32::try_from(baudrate)
            .ok()
            .filter(|&baud| baud > 0)
            .ok_or_else(|| vm.new_value_error(format!("invalid baudrate {baudrate}")))?;
        let config = bcm2835::mini_uart::UartConfig {
            baud,
            core_clock_hz: rpi1::board().core_clock_or_default(),
            ..bcm2835::mini_uart::UartConfig::default()
        };
        let driver =
            MiniUart::init(bus(memory::map::AUX), DelayClock, config).map_err(|e| error(vm, e))?;
        for route in [pins.tx, pins.rx] {
            GPIO.set_function(route.pin, route.function);
        }
        let made = driver.baud();
        peripherals().uart = Some(driver);
        Ok(made)
    }

    fn with_uart<R>(
        vm: &VirtualMachine,
        body: impl FnOnce(&BoardUart) -> Result<R, bcm2835::Error>,
    ) -> PyResult<R> {
        let peripherals = peripherals();
        let driver = peripherals
            .uart
            .as_ref()
            .ok_or_else(|| vm.new_value_error("UART 1 is not set up".to_owned()))?;
        body(driver).map_err(|e| error(vm, e))
    }

    /// Sends bytes on the mini UART.
    #[pyfunction]
    fn uart_write(data: ArgBytesLike, vm: &VirtualMachine) -> PyResult<usize> {
        let bytes = data.borrow_buf().to_vec();
        with_uart(vm, |driver| driver.write(&bytes))?;
        Ok(bytes.len())
    }

    /// Takes up to `count` received bytes from the mini UART without waiting, or waiting up to
    /// `timeout_us` for the first one.
    #[pyfunction]
    fn uart_read(count: i64, timeout_us: i64, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        let wanted = usize::try_from(count).unwrap_or(0);
        with_uart(vm, |driver| {
            let mut bytes = Vec::new();
            if wanted > 0 && timeout_us > 0 {
                match driver.read_byte(u32::try_from(timeout_us).unwrap_or(u32::MAX)) {
                    Ok(byte) => bytes.push(byte),
                    Err(bcm2835::Error::Timeout { .. }) => return Ok(bytes),
                    Err(other) => return Err(other),
                }
            }
            while bytes.len() < wanted {
                match driver.try_read_byte() {
                    Some(byte) => bytes.push(byte),
                    None => break,
                }
            }
            Ok(bytes)
        })
    }

    /// Starts (or re-arms) the watchdog: the board resets unless fed within `timeout_ms`.
    #[pyfunction]
    fn wdt_start(timeout_ms: i64, vm: &VirtualMachine) -> PyResult<()> {
        // The PM watchdog counts 16 µs ticks in 20 bits: at most 16,777 ms.
        const LONGEST_MS: i64 = 0xf_ffff * 16 / 1000;
        if !(1..=LONGEST_MS).contains(&timeout_ms) {
            return Err(vm.new_value_error(format!(
                "watchdog timeout must lie in 1..={LONGEST_MS} ms, not {timeout_ms}"
            )));
        }
        WATCHDOG.reset_after((timeout_ms * 1000 / 16) as u32);
        Ok(())
    }

    /// The ARM clock in Hz (700 MHz when the firmware does not say).
    #[pyfunction]
    fn freq() -> u32 {
        match rpi1::board().arm_clock_hz {
            0 => 700_000_000,
            hz => hz,
        }
    }

    /// The board's serial number, 8 bytes big-endian.
    #[pyfunction]
    fn unique_id(vm: &VirtualMachine) -> PyObjectRef {
        vm.ctx
            .new_bytes(rpi1::board().serial.to_be_bytes().to_vec())
            .into()
    }

    /// Waits for the next interrupt (the CPU sleeps), then runs scheduled callbacks.
    #[pyfunction]
    fn idle(vm: &VirtualMachine) -> PyResult<()> {
        cpu::wait_for_interrupt();
        crate::python::interrupt::run_events(vm)
    }

    /// Masks IRQs; returns the state to hand to `enable_irq` (FIQ real-time tasks keep running).
    #[pyfunction]
    fn disable_irq() -> u32 {
        cpu::irq_save_and_disable().bits()
    }

    /// Restores the IRQ state `disable_irq` returned.
    #[pyfunction]
    fn enable_irq(state: u32) {
        cpu::irq_restore(cpu::IrqState::from_bits(state));
    }

    fn checked_address(address: i64, width: u32, vm: &VirtualMachine) -> PyResult<usize> {
        let bad = |why: &str| vm.new_value_error(format!("mem{}[{address:#x}]: {why}", width * 8));
        let address = usize::try_from(address).map_err(|_| bad("not an address"))?;
        if address % width as usize != 0 {
            return Err(bad("not aligned"));
        }
        let layout = rpi1::layout().ok_or_else(|| bad("no memory layout"))?;
        let in_ram =
            layout.ram.contains(&address) && layout.section_kind(address) == SectionKind::Normal;
        let peripherals = memory::map::PERIPHERAL_BASE
            ..memory::map::PERIPHERAL_BASE + memory::map::PERIPHERAL_SIZE;
        if in_ram || peripherals.contains(&address) {
            Ok(address)
        } else {
            Err(bad("outside RAM and the peripheral window (or unmapped)"))
        }
    }

    fn absent(address: usize, width: u32, vm: &VirtualMachine) -> PyBaseExceptionRef {
        crate::python::posix::os_error_with_message(
            vm,
            5,
            &format!("mem{}[{address:#x}]: no device answers there", width * 8),
        )
    }

    fn is_peripheral(address: usize) -> bool {
        (memory::map::PERIPHERAL_BASE..memory::map::PERIPHERAL_BASE + memory::map::PERIPHERAL_SIZE)
            .contains(&address)
    }

    /// Reads 1, 2 or 4 bytes at `address` (RAM or the peripheral window, aligned).
    #[pyfunction]
    fn mem_read(address: i64, width: u32, vm: &VirtualMachine) -> PyResult<u32> {
        let address = checked_address(address, width, vm)?;
        if is_peripheral(address) {
            // Registers are 32 bits wide: read the word, take the part asked for. A block that
            // is not there (in QEMU) aborts the access, which the probe catches.
            // SAFETY: aligned, in the peripheral window (device memory).
            let word = unsafe { crate::arch::arm::probe::read(address & !3) }
                .ok_or_else(|| absent(address, width, vm))?;
            let shift = (address & 3) * 8;
            let mask = if width == 4 {
                u32::MAX
            } else {
                (1 << (width * 8)) - 1
            };
            return Ok(word >> shift & mask);
        }
        // SAFETY: the address is aligned, mapped RAM or device memory (checked above); a
        // volatile read of that width is what the user asked for.
        Ok(unsafe {
            match width {
                1 => u32::from(core::ptr::read_volatile(address as *const u8)),
                2 => u32::from(core::ptr::read_volatile(address as *const u16)),
                _ => core::ptr::read_volatile(address as *const u32),
            }
        })
    }

    /// Writes 1, 2 or 4 bytes at `address` (RAM or the peripheral window, aligned).
    #[pyfunction]
    fn mem_write(address: i64, width: u32, value: i64, vm: &VirtualMachine) -> PyResult<()> {
        let address = checked_address(address, width, vm)?;
        let limit = if width == 4 {
            u32::MAX as i64
        } else {
            (1i64 << (width * 8)) - 1
        };
        if !((0..=limit).contains(&value) || width == 4 && value < 0 && value >= i32::MIN as i64) {
            return Err(
                vm.new_value_error(format!("value {value} does not fit in {} bits", width * 8))
            );
        }
        if is_peripheral(address) {
            if width != 4 {
                return Err(vm.new_value_error(format!(
                    "mem{}[{address:#x}]: peripheral registers take 32-bit writes (mem32)",
                    width * 8
                )));
            }
            // SAFETY: aligned, in the peripheral window; writing registers is the point.
            return if unsafe { crate::arch::arm::probe::write(address, value as u32) } {
                Ok(())
            } else {
                Err(absent(address, width, vm))
            };
        }
        // SAFETY: as for `mem_read`; writing RAM is what `machine.mem*` is for.
        unsafe {
            match width {
                1 => core::ptr::write_volatile(address as *mut u8, value as u8),
                2 => core::ptr::write_volatile(address as *mut u16, value as u16),
                _ => core::ptr::write_volatile(address as *mut u32, value as u32),
            }
        }
        Ok(())
    }

    /// Resets the whole board (the watchdog), as `machine.reset()`.
    #[pyfunction]
    fn reset() {
        rpi1::reboot("machine.reset()");
    }
}
