//! `_network`: the native half of the `network` module (`lib/network.py`): the link, its
//! addresses and the stack's counters.
pub(crate) use network_native::module_def;

#[rustpython_vm::pymodule(name = "_network")]
mod network_native {
    use core::sync::atomic::Ordering;

    use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

    use crate::net;

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
