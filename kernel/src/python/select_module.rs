//! The `select` module: `select.select` over the kernel's descriptors (the console, local
//! streams, files, and sockets), sleeping the CPU until something is ready.
pub(crate) use select::module_def;

#[rustpython_vm::pymodule]
mod select {
    use rustpython_vm::{
        builtins::PyListRef,
        function::{ArgIntoFloat, OptionalArg},
        PyObjectRef, PyResult, TryFromObject,
        VirtualMachine,
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
        loop {
            let mut ready_read = Vec::new();
            let mut ready_write = Vec::new();
            for (fd, object) in &read {
                let (readable, _) = vfs::readiness(*fd)
                    .map_err(|code| crate::python::posix::os_error_with_message(vm, code, "select"))?;
                if readable {
                    ready_read.push(object.clone());
                }
            }
            for (fd, object) in &write {
                let (_, writable) = vfs::readiness(*fd)
                    .map_err(|code| crate::python::posix::os_error_with_message(vm, code, "select"))?;
                if writable {
                    ready_write.push(object.clone());
                }
            }
            let expired = deadline.is_some_and(|deadline| time::now_micros() >= deadline);
            if !ready_read.is_empty() || !ready_write.is_empty() || expired {
                return Ok((
                    vm.ctx.new_list(ready_read),
                    vm.ctx.new_list(ready_write),
                    vm.ctx.new_list(Vec::new()),
                ));
            }
            if console::take_interrupt() {
                return Err(vm.new_exception_empty(vm.ctx.exceptions.keyboard_interrupt.to_owned()));
            }
            if interrupt::events_pending() {
                // Scheduled callbacks run here; like a signal handler, they end the wait (with
                // nothing ready), so that an event loop looks at what they queued.
                interrupt::run_events(vm)?;
                return Ok((
                    vm.ctx.new_list(Vec::new()),
                    vm.ctx.new_list(Vec::new()),
                    vm.ctx.new_list(Vec::new()),
                ));
            }
            let watches_console = read.iter().any(|(fd, _)| vfs::is_console(*fd));
            time::wait_once(deadline, || {
                interrupt::events_pending()
                    || console::interrupt_pending()
                    || (watches_console && console::input_waiting())
            });
        }
    }
}
