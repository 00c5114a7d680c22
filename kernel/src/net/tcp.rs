//! TCP sockets for Python: a table of listeners (each with a backlog of listening smoltcp
//! sockets, as smoltcp has no `accept`) and connections, by small integer handles.
use std::collections::BTreeMap;

use smoltcp::{
    iface::{SocketHandle, SocketSet},
    socket::tcp::{self, State},
    wire::{IpAddress, IpEndpoint, Ipv4Address},
};

use super::Stack;

/// Sockets (listening or connected) the table holds at most.
pub const MAX_SOCKETS: usize = 16;
/// Each socket's receive and send buffers.
pub const BUFFER_BYTES: usize = 16 * 1024;

/// Why a call failed, as the errno Python raises.
pub type Errno = i32;
const ENFILE: Errno = 23;
const EBADF: Errno = 9;
const EADDRINUSE: Errno = 98;
const EINVAL: Errno = 22;
const ENOTCONN: Errno = 107;
const ECONNREFUSED: Errno = 111;
const ECONNRESET: Errno = 104;

struct Listener {
    port: u16,
    backlog: usize,
    waiting: Vec<SocketHandle>,
}

/// The sockets Python holds.
#[derive(Default)]
pub struct Table {
    listeners: BTreeMap<u32, Listener>,
    connections: BTreeMap<u32, SocketHandle>,
    /// Closed by Python, still sending what was queued (removed once closed).
    closing: Vec<SocketHandle>,
    next: u32,
}

fn new_socket() -> tcp::Socket<'static> {
    tcp::Socket::new(
        tcp::SocketBuffer::new(vec![0; BUFFER_BYTES]),
        tcp::SocketBuffer::new(vec![0; BUFFER_BYTES]),
    )
}

impl Table {
    fn count(&self) -> usize {
        self.connections.len()
            + self.closing.len()
            + self
                .listeners
                .values()
                .map(|listener| listener.waiting.len())
                .sum::<usize>()
    }

    fn handle(&mut self) -> u32 {
        self.next += 1;
        self.next
    }

    /// Frees the sockets Python closed once they are closed on the wire, and keeps every
    /// listener's backlog full of listening sockets (after accepts).
    pub fn refill_listeners(&mut self, sockets: &mut SocketSet<'static>) {
        self.closing.retain(|&socket| {
            let done = matches!(
                sockets.get::<tcp::Socket>(socket).state(),
                State::Closed | State::TimeWait
            );
            if done {
                sockets.remove(socket);
            }
            !done
        });
        let mut room = MAX_SOCKETS.saturating_sub(self.count());
        for listener in self.listeners.values_mut() {
            while listener.waiting.len() < listener.backlog && room > 0 {
                let mut socket = new_socket();
                if socket.listen(listener.port).is_err() {
                    break;
                }
                listener.waiting.push(sockets.add(socket));
                room -= 1;
            }
        }
    }
}

/// An IPv4 address and a port.
pub type Peer = ([u8; 4], u16);

fn endpoint(endpoint: IpEndpoint) -> Peer {
    let IpAddress::Ipv4(address) = endpoint.addr;
    (address.octets(), endpoint.port)
}

/// Listens on `port` with `backlog` connections waiting at most.
pub fn listen(stack: &mut Stack, port: u16, backlog: usize) -> Result<u32, Errno> {
    if port == 0 {
        return Err(EINVAL);
    }
    if stack
        .tcp
        .listeners
        .values()
        .any(|listener| listener.port == port)
    {
        return Err(EADDRINUSE);
    }
    if stack.tcp.count() >= MAX_SOCKETS {
        return Err(ENFILE);
    }
    let handle = stack.tcp.handle();
    stack.tcp.listeners.insert(
        handle,
        Listener {
            port,
            backlog: backlog.clamp(1, 8),
            waiting: Vec::new(),
        },
    );
    stack.tcp.refill_listeners(&mut stack.sockets);
    Ok(handle)
}

/// A connection that arrived on `listener`, if any: its handle and the peer.
pub fn accept(stack: &mut Stack, listener: u32) -> Result<Option<(u32, Peer)>, Errno> {
    let Stack { sockets, tcp, .. } = stack;
    let Some(entry) = tcp.listeners.get_mut(&listener) else {
        return Err(EBADF);
    };
    let ready = entry.waiting.iter().position(|&socket| {
        let socket = sockets.get::<tcp::Socket>(socket);
        !matches!(socket.state(), State::Listen | State::SynReceived)
    });
    let Some(index) = ready else {
        return Ok(None);
    };
    let socket = entry.waiting.remove(index);
    let peer = sockets
        .get::<tcp::Socket>(socket)
        .remote_endpoint()
        .map_or(([0; 4], 0), endpoint);
    let handle = tcp.handle();
    tcp.connections.insert(handle, socket);
    tcp.refill_listeners(sockets);
    Ok(Some((handle, peer)))
}

/// Starts a connection to `address:port`.
pub fn connect(stack: &mut Stack, address: [u8; 4], port: u16) -> Result<u32, Errno> {
    if stack.tcp.count() >= MAX_SOCKETS {
        return Err(ENFILE);
    }
    let mut socket = new_socket();
    let local_port = 49152 + (stack.tcp.next % 16000) as u16;
    let remote = IpEndpoint::new(IpAddress::Ipv4(Ipv4Address::from(address)), port);
    socket
        .connect(stack.interface.context(), remote, local_port)
        .map_err(|_| EINVAL)?;
    let socket = stack.sockets.add(socket);
    let handle = stack.tcp.handle();
    stack.tcp.connections.insert(handle, socket);
    Ok(handle)
}

fn connection(stack: &mut Stack, handle: u32) -> Result<&mut tcp::Socket<'static>, Errno> {
    let socket = *stack.tcp.connections.get(&handle).ok_or(EBADF)?;
    Ok(stack.sockets.get_mut::<tcp::Socket>(socket))
}

/// What a connection is doing: `connecting`, `connected`, `closed` (by the peer, all read),
/// `refused` or `reset`.
pub fn state(stack: &mut Stack, handle: u32) -> Result<&'static str, Errno> {
    let socket = connection(stack, handle)?;
    Ok(match socket.state() {
        State::SynSent | State::SynReceived => "connecting",
        State::Established => "connected",
        State::Closed if !socket.can_recv() => "refused",
        _ if socket.may_recv() || socket.can_recv() => "connected",
        _ => "closed",
    })
}

/// Up to `limit` received bytes: `Some(empty)` at the end of the stream, `None` when nothing
/// has arrived yet.
pub fn receive(stack: &mut Stack, handle: u32, limit: usize) -> Result<Option<Vec<u8>>, Errno> {
    let socket = connection(stack, handle)?;
    if socket.can_recv() {
        let mut data = vec![0; limit.min(BUFFER_BYTES)];
        let count = socket.recv_slice(&mut data).map_err(|_| ECONNRESET)?;
        data.truncate(count);
        return Ok(Some(data));
    }
    match socket.state() {
        State::SynSent | State::SynReceived | State::Established => Ok(None),
        State::Closed => Err(ECONNRESET),
        _ if socket.may_recv() => Ok(None),
        _ => Ok(Some(Vec::new())),
    }
}

/// Queues bytes to send; returns how many fitted (0 when the buffer is full).
pub fn send(stack: &mut Stack, handle: u32, data: &[u8]) -> Result<usize, Errno> {
    let socket = connection(stack, handle)?;
    match socket.state() {
        State::SynSent | State::SynReceived => Ok(0),
        State::Closed => Err(if socket.remote_endpoint().is_some() {
            ECONNRESET
        } else {
            ECONNREFUSED
        }),
        _ if !socket.may_send() => Err(ENOTCONN),
        _ => socket.send_slice(data).map_err(|_| ENOTCONN),
    }
}

/// Closes a listener or a connection (gracefully: queued data still goes out).
pub fn close(stack: &mut Stack, handle: u32) {
    if let Some(listener) = stack.tcp.listeners.remove(&handle) {
        for socket in listener.waiting {
            stack.sockets.remove(socket);
        }
    } else if let Some(socket) = stack.tcp.connections.remove(&handle) {
        stack.sockets.get_mut::<tcp::Socket>(socket).close();
        // The socket stays in the set until it is fully closed (see `reap`).
        stack.tcp.closing.push(socket);
    }
}
