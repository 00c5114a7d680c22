//! `_network`: the native half of the `network` module (`lib/network.py`): the link, its
//! addresses and the stack's counters.
pub(crate) use network_native::module_def;

#[rustpython_vm::pymodule(name = "_network")]
mod network_native {
    use core::sync::atomic::Ordering;

    use rustpython_vm::{
        builtins::{PyBytesRef, PyUtf8StrRef},
        PyObjectRef, PyResult, VirtualMachine,
    };

    use crate::net::{self, tcp};

    /// Runs `f` on the stack; `OSError(ENETDOWN)` without a link, the errno `f` gives else.
    fn on_stack<R>(
        vm: &VirtualMachine,
        f: impl FnOnce(&mut net::Stack) -> Result<R, tcp::Errno>,
    ) -> PyResult<R> {
        match net::with_stack(f) {
            None => Err(crate::python::posix::os_error_with_message(
                vm,
                100,
                "Network is down: no network interface is up",
            )),
            Some(Err(errno)) => Err(crate::python::posix::os_error_with_message(
                vm,
                errno,
                errno_text(errno),
            )),
            Some(Ok(value)) => Ok(value),
        }
    }

    fn errno_text(errno: i32) -> &'static str {
        match errno {
            9 => "Bad file descriptor",
            22 => "Invalid argument",
            23 => "Too many open sockets",
            98 => "Address already in use",
            104 => "Connection reset by peer",
            107 => "Transport endpoint is not connected",
            111 => "Connection refused",
            _ => "Network error",
        }
    }

    fn parse_ipv4(text: &str, vm: &VirtualMachine) -> PyResult<[u8; 4]> {
        let parts: Vec<u8> = text
            .split('.')
            .filter_map(|part| part.parse().ok())
            .collect();
        <[u8; 4]>::try_from(parts.as_slice())
            .map_err(|_| vm.new_value_error(format!("not an IPv4 address: {text:?}")))
    }

    /// Listens on TCP `port`; returns a handle.
    #[pyfunction]
    fn tcp_listen(port: u16, backlog: usize, vm: &VirtualMachine) -> PyResult<u32> {
        on_stack(vm, |stack| tcp::listen(stack, port, backlog))
    }

    /// A waiting connection: `(handle, (address, port))`, or None.
    #[pyfunction]
    fn tcp_accept(listener: u32, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        Ok(match on_stack(vm, |stack| tcp::accept(stack, listener))? {
            None => vm.ctx.none(),
            Some((handle, (address, port))) => vm
                .new_tuple((handle, vm.new_tuple((dotted(address), port))))
                .into(),
        })
    }

    /// Starts a connection to `address` (dotted IPv4) and `port`; returns a handle.
    #[pyfunction]
    fn tcp_connect(address: PyUtf8StrRef, port: u16, vm: &VirtualMachine) -> PyResult<u32> {
        let address = parse_ipv4(address.as_str(), vm)?;
        on_stack(vm, |stack| tcp::connect(stack, address, port))
    }

    /// `connecting`, `connected`, `closed`, `refused` or `reset`.
    #[pyfunction]
    fn tcp_state(handle: u32, vm: &VirtualMachine) -> PyResult<&'static str> {
        on_stack(vm, |stack| tcp::state(stack, handle))
    }

    /// Up to `limit` bytes; b"" at the end of the stream; None when nothing arrived yet.
    #[pyfunction]
    fn tcp_recv(handle: u32, limit: usize, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        Ok(
            match on_stack(vm, |stack| tcp::receive(stack, handle, limit))? {
                None => vm.ctx.none(),
                Some(data) => vm.ctx.new_bytes(data).into(),
            },
        )
    }

    /// Queues bytes to send; returns how many fitted (0: the buffer is full, wait).
    #[pyfunction]
    fn tcp_send(handle: u32, data: PyBytesRef, vm: &VirtualMachine) -> PyResult<usize> {
        on_stack(vm, |stack| tcp::send(stack, handle, data.as_bytes()))
    }

    /// Closes a listener or a connection.
    #[pyfunction]
    fn tcp_close(handle: u32) {
        net::with_stack(|stack| tcp::close(stack, handle));
    }

    /// Waits for network activity (any interrupt) or `timeout_ms`.
    #[pyfunction]
    fn wait(timeout_ms: u64) {
        let deadline = crate::time::now_micros() + timeout_ms.min(1000) * 1000;
        crate::time::wait_once(Some(deadline), || false);
    }

    fn dotted(address: [u8; 4]) -> String {
        format!(
            "{}.{}.{}.{}",
            address[0], address[1], address[2], address[3]
        )
    }

    /// None without a link, else `(mac bytes, address, netmask, gateway, dns, dhcp)` with
    /// `0.0.0.0` for what is not configured yet.
    #[pyfunction]
    fn interface(vm: &VirtualMachine) -> PyObjectRef {
        let Some(addresses) = net::addresses() else {
            return vm.ctx.none();
        };
        let none = [0u8; 4];
        let (address, prefix) = addresses.address.unwrap_or((none, 0));
        vm.new_tuple((
            vm.ctx.new_bytes(addresses.mac.to_vec()),
            dotted(address),
            dotted(if addresses.address.is_some() {
                net::netmask(prefix)
            } else {
                none
            }),
            dotted(addresses.gateway.unwrap_or(none)),
            dotted(addresses.dns.unwrap_or(none)),
            addresses.dhcp,
        ))
        .into()
    }

    /// Frames received, sent, dropped, and send errors.
    #[pyfunction]
    fn stats(vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        let stats = vm.ctx.new_dict();
        let counters = &net::COUNTERS;
        for (key, counter) in [
            ("received", &counters.received),
            ("sent", &counters.sent),
            ("dropped", &counters.dropped),
            ("send_errors", &counters.send_errors),
        ] {
            stats.set_item(
                key,
                vm.ctx.new_int(counter.load(Ordering::Relaxed)).into(),
                vm,
            )?;
        }
        Ok(stats.into())
    }
}
