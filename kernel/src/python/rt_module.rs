//! The `rt` module: the real-time tasks from Python — list, start, stop, period, statistics,
//! event releases and the tasks' SPSC channels.
pub(crate) use rt::module_def;

#[rustpython_vm::pymodule]
mod rt {
    use rustpython_vm::{
        builtins::{PyDictRef, PyUtf8StrRef},
        function::{ArgMemoryBuffer, OptionalArg},
        pyclass,
        types::Representable,
        Py, PyObjectRef, PyPayload, PyResult, VirtualMachine,
    };

    use crate::rt::{self as kernel_rt, config, Error, TASKS};

    fn task(name: &PyUtf8StrRef, vm: &VirtualMachine) -> PyResult<usize> {
        kernel_rt::task_index(name.as_str()).ok_or_else(|| {
            let known: Vec<&str> = TASKS.iter().map(|task| task.name).collect();
            vm.new_value_error(format!(
                "no real-time task named {:?} (the tasks are: {})",
                name.as_str(),
                known.join(", ")
            ))
        })
    }

    fn check(result: Result<(), Error>, name: &str, vm: &VirtualMachine) -> PyResult<()> {
        match result {
            Ok(()) => Ok(()),
            Err(Error::NoSuchTask) => Err(vm.new_value_error(format!("no task {name:?}"))),
            Err(Error::WrongKind) => Err(vm.new_value_error(format!(
                "task {name:?} is of the other kind (periodic vs. event) for this call"
            ))),
            Err(Error::PeriodOutOfRange {
                minimum_us,
                maximum_us,
            }) => Err(vm.new_value_error(format!(
                "period out of range for {name:?}: it must lie in {minimum_us}..={maximum_us} µs"
            ))),
            Err(Error::Busy) => Err(vm.new_os_error(
                "the real-time part is not taking requests (request queue full)".to_owned(),
            )),
        }
    }

    /// The configured tasks: a list of dicts (name, kind, priority, period, phase, deadline,
    /// minimum and maximum period, in µs; running).
    #[pyfunction]
    fn tasks(vm: &VirtualMachine) -> PyResult<Vec<PyObjectRef>> {
        let mut list = Vec::new();
        for (index, config) in TASKS.iter().enumerate() {
            let dict = vm.ctx.new_dict();
            dict.set_item("name", vm.ctx.new_str(config.name).into(), vm)?;
            dict.set_item("priority", vm.ctx.new_int(config.priority).into(), vm)?;
            dict.set_item(
                "deadline_us",
                vm.ctx.new_int(config.deadline_us()).into(),
                vm,
            )?;
            match config.kind {
                rtsched::TaskKind::Periodic {
                    period_us,
                    phase_us,
                    min_period_us,
                    max_period_us,
                    ..
                } => {
                    dict.set_item("kind", vm.ctx.new_str("periodic").into(), vm)?;
                    dict.set_item("period_us", vm.ctx.new_int(period_us).into(), vm)?;
                    dict.set_item("phase_us", vm.ctx.new_int(phase_us).into(), vm)?;
                    dict.set_item("min_period_us", vm.ctx.new_int(min_period_us).into(), vm)?;
                    dict.set_item("max_period_us", vm.ctx.new_int(max_period_us).into(), vm)?;
                }
                rtsched::TaskKind::Event { .. } => {
                    dict.set_item("kind", vm.ctx.new_str("event").into(), vm)?;
                }
            }
            if let Some(snapshot) = kernel_rt::snapshot(index) {
                dict.set_item("running", vm.ctx.new_bool(snapshot.running).into(), vm)?;
                if let Some(period) = snapshot.period_us {
                    dict.set_item("period_us", vm.ctx.new_int(period).into(), vm)?;
                }
            }
            list.push(dict.into());
        }
        Ok(list)
    }

    /// Starts a task by name.
    #[pyfunction]
    fn start(name: PyUtf8StrRef, vm: &VirtualMachine) -> PyResult<()> {
        check(kernel_rt::start(task(&name, vm)?), name.as_str(), vm)
    }

    /// Stops a task by name.
    #[pyfunction]
    fn stop(name: PyUtf8StrRef, vm: &VirtualMachine) -> PyResult<()> {
        check(kernel_rt::stop(task(&name, vm)?), name.as_str(), vm)
    }

    /// Sets a periodic task's period in µs (within its configured bounds).
    #[pyfunction]
    fn set_period(name: PyUtf8StrRef, period_us: i64, vm: &VirtualMachine) -> PyResult<()> {
        let index = task(&name, vm)?;
        let period = u64::try_from(period_us)
            .map_err(|_| vm.new_value_error(format!("period must be positive, not {period_us}")))?;
        check(kernel_rt::set_period(index, period), name.as_str(), vm)
    }

    /// A periodic task's current period in µs.
    #[pyfunction]
    fn period(name: PyUtf8StrRef, vm: &VirtualMachine) -> PyResult<Option<u64>> {
        let index = task(&name, vm)?;
        Ok(kernel_rt::snapshot(index).and_then(|snapshot| snapshot.period_us))
    }

    /// Releases an event task now.
    #[pyfunction]
    fn release(name: PyUtf8StrRef, vm: &VirtualMachine) -> PyResult<()> {
        check(kernel_rt::release(task(&name, vm)?), name.as_str(), vm)
    }

    fn statistics(index: usize, vm: &VirtualMachine) -> PyResult<PyDictRef> {
        let snapshot = kernel_rt::snapshot(index)
            .ok_or_else(|| vm.new_os_error("the real-time part did not answer".to_owned()))?;
        let dict = vm.ctx.new_dict();
        let latency = &snapshot.latency;
        let optional = |value: Option<u64>| -> PyObjectRef {
            value.map_or_else(|| vm.ctx.none(), |value| vm.ctx.new_int(value).into())
        };
        dict.set_item("name", vm.ctx.new_str(snapshot.config.name).into(), vm)?;
        dict.set_item("running", vm.ctx.new_bool(snapshot.running).into(), vm)?;
        dict.set_item("period_us", optional(snapshot.period_us), vm)?;
        dict.set_item(
            "releases",
            vm.ctx.new_int(snapshot.counters.releases).into(),
            vm,
        )?;
        dict.set_item(
            "completions",
            vm.ctx.new_int(snapshot.counters.completions).into(),
            vm,
        )?;
        dict.set_item(
            "deadline_misses",
            vm.ctx.new_int(snapshot.counters.deadline_misses).into(),
            vm,
        )?;
        dict.set_item(
            "overruns",
            vm.ctx.new_int(snapshot.counters.overruns).into(),
            vm,
        )?;
        dict.set_item(
            "skipped_releases",
            vm.ctx.new_int(snapshot.counters.skipped_releases).into(),
            vm,
        )?;
        dict.set_item("latency_count", vm.ctx.new_int(latency.count()).into(), vm)?;
        dict.set_item("latency_min_us", optional(latency.min_us()), vm)?;
        dict.set_item("latency_mean_us", optional(latency.mean_us()), vm)?;
        dict.set_item("latency_max_us", optional(latency.max_us()), vm)?;
        dict.set_item("latency_p99_us", optional(latency.p99_us()), vm)?;
        dict.set_item("jitter_us", optional(latency.jitter_us()), vm)?;
        dict.set_item(
            "max_response_us",
            vm.ctx.new_int(snapshot.max_response_us).into(),
            vm,
        )?;
        let mut histogram = Vec::new();
        for (bucket, &count) in latency.histogram().iter().enumerate() {
            if count == 0 {
                continue;
            }
            let (low, high) = rtsched::statistics::bucket_bounds(bucket).unwrap_or((0, 0));
            histogram.push(vm.new_tuple((low, high, count)).into());
        }
        dict.set_item("histogram", vm.ctx.new_list(histogram).into(), vm)?;
        Ok(dict)
    }

    /// Statistics of one task (by name), or of every task (a dict by name): releases,
    /// completions, deadline misses, overruns, release-to-start latency (min, mean, max, p99,
    /// jitter in µs) and its histogram as `(from_us, to_us, count)` buckets.
    #[pyfunction]
    fn stats(name: OptionalArg<PyUtf8StrRef>, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        match name {
            OptionalArg::Present(name) => Ok(statistics(task(&name, vm)?, vm)?.into()),
            OptionalArg::Missing => {
                let all = vm.ctx.new_dict();
                for (index, config) in TASKS.iter().enumerate() {
                    all.set_item(config.name, statistics(index, vm)?.into(), vm)?;
                }
                Ok(all.into())
            }
        }
    }

    /// Clears the statistics of one task, or of all.
    #[pyfunction]
    fn reset_stats(name: OptionalArg<PyUtf8StrRef>, vm: &VirtualMachine) -> PyResult<()> {
        match name {
            OptionalArg::Present(name) => check(
                kernel_rt::reset_statistics(task(&name, vm)?),
                name.as_str(),
                vm,
            ),
            OptionalArg::Missing => {
                for (index, config) in TASKS.iter().enumerate() {
                    check(kernel_rt::reset_statistics(index), config.name, vm)?;
                }
                kernel_rt::reset_figures();
                Ok(())
            }
        }
    }

    /// Kernel-wide figures: FIQs taken, the longest FIQ run (µs), square-wave edges.
    #[pyfunction]
    fn info(vm: &VirtualMachine) -> PyResult<PyDictRef> {
        let (fiqs, longest) = kernel_rt::figures();
        let dict = vm.ctx.new_dict();
        dict.set_item("fiqs", vm.ctx.new_int(fiqs).into(), vm)?;
        dict.set_item("longest_fiq_us", vm.ctx.new_int(longest).into(), vm)?;
        dict.set_item(
            "square_wave_edges",
            vm.ctx
                .new_int(config::SQUARE_WAVE_EDGES.load(core::sync::atomic::Ordering::Relaxed))
                .into(),
            vm,
        )?;
        dict.set_item(
            "square_wave_pin",
            vm.ctx.new_int(config::SQUARE_WAVE_PIN).into(),
            vm,
        )?;
        Ok(dict)
    }

    /// Opens a task channel by name ("samples": tasks → Python, "commands": Python → tasks).
    #[pyfunction]
    fn channel(name: PyUtf8StrRef, vm: &VirtualMachine) -> PyResult<Channel> {
        config::CHANNELS
            .iter()
            .position(|(channel, _, _)| *channel == name.as_str())
            .map(|index| Channel { index })
            .ok_or_else(|| {
                let known: Vec<&str> = config::CHANNELS.iter().map(|(name, _, _)| *name).collect();
                vm.new_value_error(format!(
                    "no channel named {:?} (the channels are: {})",
                    name.as_str(),
                    known.join(", ")
                ))
            })
    }

    /// A lock-free single-producer single-consumer channel of 32-bit words shared with the
    /// real-time tasks.
    #[pyattr]
    #[pyclass(name = "Channel", module = "rt")]
    #[derive(Debug, PyPayload)]
    pub struct Channel {
        index: usize,
    }

    impl Channel {
        fn access(&self) -> &'static dyn config::ChannelAccess {
            config::CHANNELS[self.index].1
        }

        fn readable(&self) -> bool {
            config::CHANNELS[self.index].2
        }
    }

    #[pyclass(with(Representable))]
    impl Channel {
        /// Takes up to `count` words (all waiting words by default) as a list of ints.
        #[pymethod]
        fn read(
            zelf: &Py<Self>,
            count: OptionalArg<isize>,
            vm: &VirtualMachine,
        ) -> PyResult<PyObjectRef> {
            if !zelf.readable() {
                return Err(vm.new_os_error("this channel carries words to the tasks".to_owned()));
            }
            let wanted = match count {
                OptionalArg::Present(count) if count >= 0 => count as usize,
                _ => zelf.access().capacity(),
            };
            let mut words = vec![0u32; wanted.min(zelf.access().capacity())];
            let taken = zelf.access().pop_into(&mut words);
            let items = words[..taken]
                .iter()
                .map(|&word| vm.ctx.new_int(word).into())
                .collect();
            Ok(vm.ctx.new_list(items).into())
        }

        /// Takes as many words as fit into a writable buffer (4 bytes each, native byte order,
        /// e.g. an `array('I')`) in one call; returns the number of words.
        #[pymethod]
        fn readinto(
            zelf: &Py<Self>,
            buffer: ArgMemoryBuffer,
            vm: &VirtualMachine,
        ) -> PyResult<usize> {
            if !zelf.readable() {
                return Err(vm.new_os_error("this channel carries words to the tasks".to_owned()));
            }
            let mut bytes = buffer.borrow_buf_mut();
            let mut chunk = [0u32; 64];
            let mut taken = 0;
            while taken * 4 + 4 <= bytes.len() {
                let room = ((bytes.len() - taken * 4) / 4).min(chunk.len());
                let count = zelf.access().pop_into(&mut chunk[..room]);
                for (index, word) in chunk[..count].iter().enumerate() {
                    let at = (taken + index) * 4;
                    bytes[at..at + 4].copy_from_slice(&word.to_ne_bytes());
                }
                taken += count;
                if count < room {
                    break;
                }
            }
            Ok(taken)
        }

        /// Sends one word to the tasks; False if the channel is full.
        #[pymethod]
        fn write(zelf: &Py<Self>, word: u32, vm: &VirtualMachine) -> PyResult<bool> {
            if zelf.readable() {
                return Err(vm.new_os_error("this channel carries words from the tasks".to_owned()));
            }
            Ok(zelf.access().push(word))
        }

        /// Words waiting to be read (as MicroPython's `UART.any()`).
        #[pymethod]
        fn any(zelf: &Py<Self>) -> usize {
            zelf.access().len()
        }

        /// Words the channel holds at most.
        #[pygetset]
        fn capacity(zelf: &Py<Self>) -> usize {
            zelf.access().capacity()
        }

        /// Words refused because the channel was full.
        #[pygetset]
        fn dropped(zelf: &Py<Self>) -> u32 {
            zelf.access().dropped()
        }

        #[pygetset]
        fn name(zelf: &Py<Self>) -> &'static str {
            config::CHANNELS[zelf.index].0
        }
    }

    impl Representable for Channel {
        fn repr_str(zelf: &Py<Self>, _vm: &VirtualMachine) -> PyResult<String> {
            Ok(format!(
                "<rt.Channel {:?}: {} of {} words>",
                config::CHANNELS[zelf.index].0,
                zelf.access().len(),
                zelf.access().capacity()
            ))
        }
    }
}
