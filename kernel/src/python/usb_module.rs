//! `_usb`: the native half of the `usb` and `keyboard` modules (`lib/usb.py`, `lib/keyboard.py`):
//! the device table, the USB log and counters, key events and the keyboard's settings.
pub(crate) use usb_native::module_def;

#[rustpython_vm::pymodule(name = "_usb")]
mod usb_native {
    use core::sync::atomic::Ordering;

    use rustpython_vm::{
        builtins::PyUtf8StrRef, function::OptionalArg, PyObjectRef, PyResult, VirtualMachine,
    };

    use crate::usb::{self, host::COUNTERS, keyboard};

    /// The attached devices: `(address, hub address or 0, port or 0, speed, vendor id,
    /// product id, class, subclass, protocol, manufacturer, product, driver)` each.
    #[pyfunction]
    fn devices(vm: &VirtualMachine) -> PyObjectRef {
        let devices = usb::devices();
        let address_of = |id: u32| {
            devices
                .iter()
                .find(|device| device.id == id)
                .map_or(0, |device| device.address)
        };
        let rows: Vec<PyObjectRef> = devices
            .iter()
            .map(|device| {
                let (hub, port) = device
                    .parent
                    .map_or((0, 0), |(hub, port)| (address_of(hub), port));
                let text = |value: &Option<String>| -> PyObjectRef {
                    match value {
                        Some(text) => vm.ctx.new_str(text.as_str()).into(),
                        None => vm.ctx.none(),
                    }
                };
                vm.ctx
                    .new_tuple(vec![
                        vm.ctx.new_int(device.address).into(),
                        vm.ctx.new_int(hub).into(),
                        vm.ctx.new_int(port).into(),
                        vm.ctx
                            .new_str(format!("{:?}", device.speed).to_lowercase())
                            .into(),
                        vm.ctx.new_int(device.vendor_id).into(),
                        vm.ctx.new_int(device.product_id).into(),
                        vm.ctx.new_int(device.class.0).into(),
                        vm.ctx.new_int(device.class.1).into(),
                        vm.ctx.new_int(device.class.2).into(),
                        text(&device.manufacturer),
                        text(&device.product),
                        vm.ctx.new_str(device.driver).into(),
                    ])
                    .into()
            })
            .collect();
        vm.ctx.new_list(rows).into()
    }

    /// The USB log's lines (attach, detach, errors), oldest first.
    #[pyfunction]
    fn log(vm: &VirtualMachine) -> PyObjectRef {
        let lines = usb::log_lines()
            .into_iter()
            .map(|line| vm.ctx.new_str(line).into())
            .collect();
        vm.ctx.new_list(lines).into()
    }

    /// Counters and timings.
    #[pyfunction]
    fn stats(vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        let stats = vm.ctx.new_dict();
        let set = |key: &str, value: u64| stats.set_item(key, vm.ctx.new_int(value).into(), vm);
        set("started", u64::from(usb::started_us().is_some()))?;
        set("started_us", usb::started_us().unwrap_or(0))?;
        let load =
            |counter: &core::sync::atomic::AtomicU32| u64::from(counter.load(Ordering::Relaxed));
        set("transfers", load(&COUNTERS.transfers))?;
        set("naks", load(&COUNTERS.naks))?;
        set("stalls", load(&COUNTERS.stalls))?;
        set("timeouts", load(&COUNTERS.timeouts))?;
        set("transaction_errors", load(&COUNTERS.transaction_errors))?;
        set("babble", load(&COUNTERS.babble))?;
        set(
            "interrupts",
            u64::from(crate::bsp::rpi1::USB.interrupt_count()),
        )?;
        set("tasks", usb::executor::task_count() as u64)?;
        set("rounds", usb::executor::rounds())?;
        let (reports, bytes, dropped) = keyboard::counters();
        set("key_reports", u64::from(reports))?;
        set("key_bytes", u64::from(bytes))?;
        set("key_events_dropped", u64::from(dropped))?;
        let (report_poll, empty_poll) = keyboard::poll_costs();
        set("key_report_poll_us", u64::from(report_poll))?;
        set("key_empty_poll_us", u64::from(empty_poll))?;
        let timings = vm.ctx.new_dict();
        for device in usb::devices() {
            let key: PyObjectRef = vm.ctx.new_int(device.address).into();
            timings.set_item(
                &*key,
                vm.new_tuple((device.enumeration_us, device.attached_at_us))
                    .into(),
                vm,
            )?;
        }
        stats.set_item("enumeration_us", timings.into(), vm)?;
        Ok(stats.into())
    }

    /// Up to `limit` key events, oldest first: `(key code, action, modifiers, time µs)` with
    /// action 0 release, 1 press, 2 repeat.
    #[pyfunction]
    fn key_events(limit: OptionalArg<i64>, vm: &VirtualMachine) -> PyObjectRef {
        let limit = limit.unwrap_or(1 << 20).clamp(0, 1 << 20) as usize;
        let events = keyboard::take_events(limit)
            .into_iter()
            .map(|(event, at)| {
                vm.new_tuple((
                    event.key,
                    keyboard::action_number(event.action),
                    event.modifiers.0,
                    at,
                ))
                .into()
            })
            .collect();
        vm.ctx.new_list(events).into()
    }

    /// The USB mouse: `(x, y, buttons, wheel, reports)` (motion summed since boot).
    #[pyfunction]
    fn mouse() -> (i32, i32, u8, i32, u32) {
        let pointer = usb::mouse::pointer();
        (
            pointer.x,
            pointer.y,
            pointer.buttons,
            pointer.wheel,
            pointer.reports,
        )
    }

    /// Key events waiting.
    #[pyfunction]
    fn key_events_waiting() -> usize {
        keyboard::events_waiting()
    }

    /// The keyboard's layout name.
    #[pyfunction]
    fn layout() -> String {
        keyboard::settings().layout.name().to_owned()
    }

    /// Sets the keyboard's layout (`us`, `uk` or `de`).
    #[pyfunction]
    fn set_layout(name: PyUtf8StrRef, vm: &VirtualMachine) -> PyResult<()> {
        let layout = usbproto::Layout::from_name(name.as_str()).ok_or_else(|| {
            vm.new_value_error(format!(
                "unknown keyboard layout {:?} (us, uk or de)",
                name.as_str()
            ))
        })?;
        let mut settings = keyboard::settings();
        settings.layout = layout;
        keyboard::set_settings(settings);
        Ok(())
    }

    /// `(delay ms, repeats per second)` of key repeat.
    #[pyfunction]
    fn repeat() -> (u32, u32) {
        let repeat = keyboard::settings().repeat;
        let rate = 1000u32.checked_div(repeat.interval_ms).unwrap_or(0);
        (repeat.delay_ms, rate)
    }

    /// Sets key repeat: the delay before the first repeat and the repeats per second (0: off).
    #[pyfunction]
    fn set_repeat(delay_ms: i64, rate: i64, vm: &VirtualMachine) -> PyResult<()> {
        let delay = u32::try_from(delay_ms)
            .ok()
            .filter(|delay| (100..=5000).contains(delay))
            .ok_or_else(|| vm.new_value_error("repeat delay: 100 to 5000 ms".to_owned()))?;
        let rate = u32::try_from(rate)
            .ok()
            .filter(|rate| *rate <= 100)
            .ok_or_else(|| vm.new_value_error("repeat rate: 0 to 100 per second".to_owned()))?;
        let mut settings = keyboard::settings();
        settings.repeat = usb::repeat_settings(delay, rate);
        keyboard::set_settings(settings);
        Ok(())
    }
}
