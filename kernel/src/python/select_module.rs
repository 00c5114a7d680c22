//! The `select` module: `select.select` over the kernel's descriptors (the console, local
//! streams, files, and sockets), sleeping the CPU until something is ready.
pub(crate) use select::module_def;

#[rustpython_vm::pymodule]
mod select {
    use rustpython_vm::{
        builtins::PyListRef,
        function::{ArgIntoFloat, OptionalArg},
        pyclass, AsObject, Py, PyObjectRef, PyPayload, PyResult, TryFromObject, VirtualMachine,
    };

    use crate::{console, python::interrupt, time, vfs};

    #[pyattr]
    fn error(vm: &VirtualMachine) -> PyObjectRef {
        vm.ctx.exceptions.os_error.to_owned().into()
    }

    fn descriptor(object: &PyObjectRef, vm: &VirtualMachine) -> PyResult<i32> {
        if let Ok(fd) = i32::try_from_object(vm, object.clone()) {
            return Ok(fd);
        }
        let fd = vm.call_method(object, "fileno", ())?;
        i32::try_from_object(vm, fd)
    }

    fn descriptors(list: &PyObjectRef, vm: &VirtualMachine) -> PyResult<Vec<(i32, PyObjectRef)>> {
        let items: Vec<PyObjectRef> = vm.extract_elements_with(list, Ok)?;
        items
            .into_iter()
            .map(|item| Ok((descriptor(&item, vm)?, item)))
            .collect()
    }

    /// Waits until one of `read` is readable or one of `write` writable, or `deadline` passes;
    /// returns the indices of the ready ones. Scheduled callbacks run meanwhile (and end the
    /// wait, like a signal handler); Ctrl-C raises KeyboardInterrupt.
    fn wait(
        read: &[(i32, PyObjectRef)],
        write: &[(i32, PyObjectRef)],
        deadline: Option<u64>,
        vm: &VirtualMachine,
    ) -> PyResult<(Vec<usize>, Vec<usize>)> {
        let failed = |code| crate::python::posix::os_error_with_message(vm, code, "select");
        loop {
            let mut ready_read = Vec::new();
            let mut ready_write = Vec::new();
            for (index, (fd, _)) in read.iter().enumerate() {
                if vfs::readiness(*fd).map_err(failed)?.0 {
                    ready_read.push(index);
                }
            }
            for (index, (fd, _)) in write.iter().enumerate() {
                if vfs::readiness(*fd).map_err(failed)?.1 {
                    ready_write.push(index);
                }
            }
            let expired = deadline.is_some_and(|deadline| time::now_micros() >= deadline);
            if !ready_read.is_empty() || !ready_write.is_empty() || expired {
                return Ok((ready_read, ready_write));
            }
            if console::take_interrupt() {
                return Err(vm.new_exception_empty(vm.ctx.exceptions.keyboard_interrupt.to_owned()));
            }
            if interrupt::events_pending() {
                interrupt::run_events(vm)?;
                return Ok((Vec::new(), Vec::new()));
            }
            let watches_console = read.iter().any(|(fd, _)| vfs::is_console(*fd));
            time::wait_once(deadline, || {
                interrupt::events_pending()
                    || console::interrupt_pending()
                    || (watches_console && console::input_waiting())
            });
        }
    }

    #[pyattr]
    const POLLIN: u32 = 0x001;
    #[pyattr]
    const POLLPRI: u32 = 0x002;
    #[pyattr]
    const POLLOUT: u32 = 0x004;
    #[pyattr]
    const POLLERR: u32 = 0x008;
    #[pyattr]
    const POLLHUP: u32 = 0x010;
    #[pyattr]
    const POLLNVAL: u32 = 0x020;

    /// `select.poll()`: the registration object (MicroPython's `ipoll` too).
    #[pyfunction]
    fn poll() -> Poll {
        Poll {
            registered: std::sync::Mutex::new(Vec::new()),
        }
    }

    #[pyattr]
    #[pyclass(name = "PollObject", module = "select")]
    #[derive(Debug, PyPayload)]
    pub struct Poll {
        registered: std::sync::Mutex<Vec<(i32, PyObjectRef, u32)>>,
    }

    impl Poll {
        fn entries(&self) -> Vec<(i32, PyObjectRef, u32)> {
            self.registered
                .lock()
                .map(|entries| entries.clone())
                .unwrap_or_default()
        }
    }

    #[pyclass]
    impl Poll {
        #[pymethod]
        fn register(
            zelf: &Py<Self>,
            object: PyObjectRef,
            mask: OptionalArg<u32>,
            vm: &VirtualMachine,
        ) -> PyResult<()> {
            let fd = descriptor(&object, vm)?;
            let mask = mask.unwrap_or(POLLIN | POLLPRI | POLLOUT);
            if let Ok(mut entries) = zelf.registered.lock() {
                entries.retain(|(existing, _, _)| *existing != fd);
                entries.push((fd, object, mask));
            }
            Ok(())
        }

        #[pymethod]
        fn modify(
            zelf: &Py<Self>,
            object: PyObjectRef,
            mask: u32,
            vm: &VirtualMachine,
        ) -> PyResult<()> {
            Self::register(zelf, object, OptionalArg::Present(mask), vm)
        }

        #[pymethod]
        fn unregister(zelf: &Py<Self>, object: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
            let fd = descriptor(&object, vm)?;
            if let Ok(mut entries) = zelf.registered.lock() {
                entries.retain(|(existing, _, _)| *existing != fd);
            }
            Ok(())
        }

        /// Waits up to `timeout` ms (-1 or None: for ever); returns `[(object, events)]`.
        #[pymethod]
        fn poll(
            zelf: &Py<Self>,
            timeout: OptionalArg<PyObjectRef>,
            vm: &VirtualMachine,
        ) -> PyResult<PyListRef> {
            let milliseconds = match timeout {
                OptionalArg::Present(value) if !vm.is_none(&value) => {
                    Some(ArgIntoFloat::try_from_object(vm, value)?.into_float())
                }
                _ => None,
            };
            let deadline = milliseconds
                .filter(|&ms| ms >= 0.0)
                .map(|ms| time::now_micros() + (ms * 1000.0).min(1e15) as u64);
            let entries = zelf.entries();
            let pick = |bit: u32| -> Vec<(i32, PyObjectRef)> {
                entries
                    .iter()
                    .filter(|(_, _, mask)| mask & bit != 0)
                    .map(|(fd, object, _)| (*fd, object.clone()))
                    .collect()
            };
            let read = pick(POLLIN);
            let write = pick(POLLOUT);
            let (ready_read, ready_write) = wait(&read, &write, deadline, vm)?;
            let mut events: Vec<(i32, PyObjectRef, u32)> = Vec::new();
            for (list, ready, bit) in [(&read, ready_read, POLLIN), (&write, ready_write, POLLOUT)]
            {
                for index in ready {
                    let (fd, object) = &list[index];
                    match events.iter_mut().find(|(existing, _, _)| existing == fd) {
                        Some(entry) => entry.2 |= bit,
                        None => events.push((*fd, object.clone(), bit)),
                    }
                }
            }
            Ok(vm.ctx.new_list(
                events
                    .into_iter()
                    .map(|(_, object, bits)| vm.new_tuple((object, bits)).into())
                    .collect(),
            ))
        }

        /// MicroPython's `ipoll`: the same results, as an iterator.
        #[pymethod]
        fn ipoll(
            zelf: &Py<Self>,
            timeout: OptionalArg<PyObjectRef>,
            vm: &VirtualMachine,
        ) -> PyResult {
            let list = Self::poll(zelf, timeout, vm)?;
            vm.call_method(list.as_object(), "__iter__", ())
        }
    }

    /// `select(rlist, wlist, xlist[, timeout])`: waits until a descriptor is ready (or the
    /// timeout, in seconds, passes; `None` waits for ever). Scheduled callbacks run meanwhile;
    /// Ctrl-C raises KeyboardInterrupt.
    #[pyfunction]
    fn select(
        read: PyObjectRef,
        write: PyObjectRef,
        exceptional: PyObjectRef,
        timeout: OptionalArg<PyObjectRef>,
        vm: &VirtualMachine,
    ) -> PyResult<(PyListRef, PyListRef, PyListRef)> {
        let read = descriptors(&read, vm)?;
        let write = descriptors(&write, vm)?;
        let _ = descriptors(&exceptional, vm)?;
        let timeout = match timeout {
            OptionalArg::Present(value) if !vm.is_none(&value) => {
                Some(ArgIntoFloat::try_from_object(vm, value)?.into_float())
            }
            _ => None,
        };
        let deadline = match timeout {
            None => None,
            Some(seconds) if seconds.is_nan() || seconds < 0.0 => {
                return Err(vm.new_value_error("timeout must be non-negative"));
            }
            Some(seconds) => Some(time::now_micros() + (seconds * 1e6).min(1e15) as u64),
        };
        let (ready_read, ready_write) = wait(&read, &write, deadline, vm)?;
        let pick = |list: &[(i32, PyObjectRef)], ready: &[usize]| -> PyListRef {
            vm.ctx
                .new_list(ready.iter().map(|&index| list[index].1.clone()).collect())
        };
        Ok((
            pick(&read, &ready_read),
            pick(&write, &ready_write),
            vm.ctx.new_list(Vec::new()),
        ))
    }
}
