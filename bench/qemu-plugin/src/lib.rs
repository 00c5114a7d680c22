//! A QEMU TCG plugin (API version 1, QEMU 7.2) for PiPyOS benchmarks and profiles.
//!
//! Loaded with `qemu-system-arm ... -icount shift=0 -plugin libpipyos_qemu_plugin.so,ARGS`.
//! Every executed guest instruction is counted exactly (an inline add per instruction). The
//! arguments choose what is written:
//!
//! - `watch=0x20201000,out=FILE`: at every store to that physical address (the PL011 data
//!   register), a line `<store index> <instructions executed so far>`; the k-th store is the
//!   k-th byte the board printed, so "instructions until the first `>>> `" is the count at the
//!   store of that prompt's last byte. A last line `total <n>` at exit.
//! - `profile=FILE[,interval=N][,start=PC]`: a profile of the guest. Each translated block
//!   counts its executions; at exit the file gets one `block <pc> <instructions> <executions>`
//!   line per block (an exact flat profile), then `stack <count> <pc>;<return address>;...`
//!   lines: every N instructions (default 10,000) the current call stack is sampled from a
//!   shadow stack kept by watching `bl`/`blx` instructions and returns to their return
//!   addresses. `start=PC` starts profiling at the first execution of that address (e.g. the
//!   entry of the code to profile) instead of at reset.
//!
//! - `span=A:B` (addresses, repeatable up to 8 times): the exact instructions from each
//!   execution of `A` to the next execution of `B` (e.g. the FIQ vector to a real-time task's
//!   body): `span <A> <B> <count> <min> <mean> <max>` lines at exit.
//!
//! `cargo xtask profile` and `bench/run_bench.py` build and load it; the address-to-symbol
//! mapping happens in xtask, with the kernel ELF.
#![allow(unsafe_code)] // the C ABI of QEMU's plugin interface

use std::{
    collections::HashMap,
    ffi::{c_char, c_int, c_uint, c_void, CStr},
    fs::File,
    io::{BufWriter, Write},
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Mutex, OnceLock,
    },
};

/// `qemu_plugin_id_t`.
type PluginId = u64;
/// `qemu_plugin_meminfo_t`.
type MemoryInfo = u32;

/// Opaque `struct qemu_plugin_tb`.
#[repr(C)]
pub struct TranslationBlock {
    _private: [u8; 0],
}
/// Opaque `struct qemu_plugin_insn`.
#[repr(C)]
pub struct Instruction {
    _private: [u8; 0],
}
/// Opaque `struct qemu_plugin_hwaddr`.
#[repr(C)]
pub struct HardwareAddress {
    _private: [u8; 0],
}

/// `QEMU_PLUGIN_INLINE_ADD_U64`.
const INLINE_ADD_U64: c_int = 0;
/// `QEMU_PLUGIN_CB_NO_REGS`.
const CALLBACK_NO_REGISTERS: c_int = 0;
/// `QEMU_PLUGIN_MEM_W`.
const MEMORY_WRITES: c_int = 2;

type TranslationCallback = extern "C" fn(PluginId, *mut TranslationBlock);
type MemoryCallback = extern "C" fn(c_uint, MemoryInfo, u64, *mut c_void);
type VcpuCallback = extern "C" fn(c_uint, *mut c_void);
type ExitCallback = extern "C" fn(PluginId, *mut c_void);

unsafe extern "C" {
    fn qemu_plugin_register_vcpu_tb_trans_cb(id: PluginId, callback: TranslationCallback);
    fn qemu_plugin_tb_n_insns(block: *const TranslationBlock) -> usize;
    fn qemu_plugin_tb_vaddr(block: *const TranslationBlock) -> u64;
    fn qemu_plugin_tb_get_insn(block: *const TranslationBlock, index: usize) -> *mut Instruction;
    fn qemu_plugin_insn_vaddr(instruction: *const Instruction) -> u64;
    fn qemu_plugin_insn_data(instruction: *const Instruction) -> *const c_void;
    fn qemu_plugin_insn_size(instruction: *const Instruction) -> usize;
    fn qemu_plugin_register_vcpu_insn_exec_inline(
        instruction: *mut Instruction,
        operation: c_int,
        pointer: *mut c_void,
        immediate: u64,
    );
    fn qemu_plugin_register_vcpu_tb_exec_inline(
        block: *mut TranslationBlock,
        operation: c_int,
        pointer: *mut c_void,
        immediate: u64,
    );
    fn qemu_plugin_register_vcpu_tb_exec_cb(
        block: *mut TranslationBlock,
        callback: VcpuCallback,
        flags: c_int,
        user_data: *mut c_void,
    );
    fn qemu_plugin_register_vcpu_insn_exec_cb(
        instruction: *mut Instruction,
        callback: VcpuCallback,
        flags: c_int,
        user_data: *mut c_void,
    );
    fn qemu_plugin_register_vcpu_mem_cb(
        instruction: *mut Instruction,
        callback: MemoryCallback,
        flags: c_int,
        access: c_int,
        user_data: *mut c_void,
    );
    fn qemu_plugin_mem_is_store(info: MemoryInfo) -> bool;
    fn qemu_plugin_get_hwaddr(info: MemoryInfo, virtual_address: u64) -> *mut HardwareAddress;
    fn qemu_plugin_hwaddr_phys_addr(address: *const HardwareAddress) -> u64;
    fn qemu_plugin_register_atexit_cb(id: PluginId, callback: ExitCallback, user_data: *mut c_void);
}

/// The plugin API version this plugin was written for (QEMU checks it at load time).
#[unsafe(no_mangle)]
pub static qemu_plugin_version: c_int = 1;

/// Guest instructions executed (one vCPU on raspi0; QEMU's inline add writes it directly).
static INSTRUCTIONS: AtomicU64 = AtomicU64::new(0);

/// What the arguments asked for.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Physical address whose stores are logged.
    pub watch: Option<u64>,
    /// Where the store log goes.
    pub out: Option<String>,
    /// Where the profile goes.
    pub profile: Option<String>,
    /// Instructions between two stack samples.
    pub interval: u64,
    /// Address whose first execution starts the profile.
    pub start: Option<u64>,
    /// Instruction spans to measure: (from, to).
    pub spans: Vec<(u64, u64)>,
}

/// Parses `key=value` plugin arguments.
pub fn parse_options<'a>(arguments: impl IntoIterator<Item = &'a str>) -> Result<Options, String> {
    let number = |text: &str| -> Result<u64, String> {
        let parsed = match text.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16),
            None => text.parse(),
        };
        parsed.map_err(|_| format!("not a number: {text}"))
    };
    let mut options = Options {
        interval: 10_000,
        ..Options::default()
    };
    for argument in arguments {
        let (key, value) = argument
            .split_once('=')
            .ok_or_else(|| format!("argument without '=': {argument}"))?;
        match key {
            "watch" | "addr" => options.watch = Some(number(value)?),
            "out" => options.out = Some(value.to_owned()),
            "profile" => options.profile = Some(value.to_owned()),
            "interval" => options.interval = number(value)?.max(1),
            "start" => options.start = Some(number(value)?),
            "span" => {
                let (from, to) = value
                    .split_once(':')
                    .ok_or_else(|| format!("span needs FROM:TO, not {value}"))?;
                if options.spans.len() == MAXIMUM_SPANS {
                    return Err(format!("at most {MAXIMUM_SPANS} spans"));
                }
                options.spans.push((number(from)?, number(to)?));
            }
            _ => return Err(format!("unknown argument: {key}")),
        }
    }
    Ok(options)
}

/// Store-log state.
struct Watch {
    address: u64,
    stores: u64,
    log: BufWriter<File>,
}

/// A translated block's execution counter (leaked: QEMU keeps pointers into it).
struct Block {
    address: u64,
    instructions: u64,
    executions: AtomicU64,
    /// The block ends in a call: return address of that call.
    call_return: Option<u32>,
}

/// Profile state.
struct Profile {
    file: String,
    interval: u64,
    start: Option<u64>,
    blocks: Vec<&'static Block>,
    /// Return addresses of the calls in progress, outermost first.
    shadow_stack: Vec<u32>,
    /// A call was the last instruction executed: its return address is pushed at the next block.
    pending_call: Option<u32>,
    next_sample: u64,
    samples: HashMap<Vec<u32>, u64>,
}

/// Spans measured at once at most.
const MAXIMUM_SPANS: usize = 8;

/// One instruction span being measured.
#[derive(Default)]
struct Span {
    from: u64,
    to: u64,
    started_at: Option<u64>,
    count: u64,
    total: u64,
    minimum: u64,
    maximum: u64,
}

static SPANS: Mutex<Vec<Span>> = Mutex::new(Vec::new());
static WATCH: Mutex<Option<Watch>> = Mutex::new(None);
static PROFILE: Mutex<Option<Profile>> = Mutex::new(None);
static PROFILING: AtomicBool = AtomicBool::new(false);
static START_ADDRESS: OnceLock<u64> = OnceLock::new();

/// Deepest shadow stack kept (deeper calls are folded into the last frame).
const MAXIMUM_DEPTH: usize = 256;

/// The return address of an ARM call instruction at `address`, if `word` is one:
/// `bl` (cond 1011), `blx` immediate (1111 101H) or `blx` register.
pub fn call_return_address(word: u32, address: u32) -> Option<u32> {
    let condition = word >> 28;
    let is_bl = condition != 0xf && word & 0x0f00_0000 == 0x0b00_0000;
    let is_blx_immediate = word & 0xfe00_0000 == 0xfa00_0000;
    let is_blx_register = condition != 0xf && word & 0x0fff_fff0 == 0x012f_ff30;
    (is_bl || is_blx_immediate || is_blx_register).then_some(address.wrapping_add(4))
}

extern "C" fn on_store(_vcpu: c_uint, info: MemoryInfo, virtual_address: u64, _data: *mut c_void) {
    // SAFETY: `info` comes from QEMU for this very access.
    if !unsafe { qemu_plugin_mem_is_store(info) } {
        return;
    }
    // SAFETY: as above; the returned pointer is only used during this callback.
    let hardware = unsafe { qemu_plugin_get_hwaddr(info, virtual_address) };
    let physical = if hardware.is_null() {
        virtual_address
    } else {
        // SAFETY: non-null and valid for this callback.
        unsafe { qemu_plugin_hwaddr_phys_addr(hardware) }
    };
    let Ok(mut guard) = WATCH.lock() else { return };
    if let Some(watch) = guard.as_mut() {
        if physical == watch.address {
            let count = INSTRUCTIONS.load(Ordering::Relaxed);
            let _ = writeln!(watch.log, "{} {count}", watch.stores);
            let _ = watch.log.flush();
            watch.stores += 1;
        }
    }
}

extern "C" fn on_block(_vcpu: c_uint, data: *mut c_void) {
    // SAFETY: `data` is the leaked `Block` registered with this callback.
    let block = unsafe { &*(data as *const Block) };
    let Ok(mut guard) = PROFILE.lock() else {
        return;
    };
    let Some(profile) = guard.as_mut() else {
        return;
    };
    if !PROFILING.load(Ordering::Relaxed) {
        if Some(block.address) != profile.start {
            return;
        }
        PROFILING.store(true, Ordering::Relaxed);
        profile.next_sample = INSTRUCTIONS.load(Ordering::Relaxed) + profile.interval;
    }
    let address = block.address as u32;
    if let Some(return_address) = profile.pending_call.take() {
        if profile.shadow_stack.len() < MAXIMUM_DEPTH {
            profile.shadow_stack.push(return_address);
        }
    }
    // A return (or an unwind past several frames) lands on a return address on the stack.
    if let Some(depth) = profile.shadow_stack.iter().rposition(|&ret| ret == address) {
        profile.shadow_stack.truncate(depth);
    }
    let now = INSTRUCTIONS.load(Ordering::Relaxed);
    if now >= profile.next_sample {
        let mut stack = profile.shadow_stack.clone();
        stack.push(address);
        let weight = (now - profile.next_sample) / profile.interval + 1;
        *profile.samples.entry(stack).or_insert(0) += weight;
        profile.next_sample += weight * profile.interval;
    }
    profile.pending_call = block.call_return;
}

/// An instruction that starts or ends a span ran; `data` is its address.
extern "C" fn on_span_instruction(_vcpu: c_uint, data: *mut c_void) {
    let address = data as u64;
    let now = INSTRUCTIONS.load(Ordering::Relaxed);
    let Ok(mut spans) = SPANS.lock() else { return };
    for span in spans.iter_mut() {
        if address == span.to {
            if let Some(start) = span.started_at.take() {
                let length = now - start;
                span.minimum = if span.count == 0 {
                    length
                } else {
                    span.minimum.min(length)
                };
                span.maximum = span.maximum.max(length);
                span.total += length;
                span.count += 1;
            }
        }
        if address == span.from {
            span.started_at = Some(now);
        }
    }
}

extern "C" fn on_translate(_id: PluginId, block: *mut TranslationBlock) {
    // SAFETY: `block` is valid for the duration of this callback.
    let count = unsafe { qemu_plugin_tb_n_insns(block) };
    let watching = WATCH.lock().map(|watch| watch.is_some()).unwrap_or(false);
    let mut last_word = None;
    for index in 0..count {
        // SAFETY: `index < count`.
        let instruction = unsafe { qemu_plugin_tb_get_insn(block, index) };
        // SAFETY: `instruction` belongs to `block`; the counter is a static.
        unsafe {
            qemu_plugin_register_vcpu_insn_exec_inline(
                instruction,
                INLINE_ADD_U64,
                INSTRUCTIONS.as_ptr().cast(),
                1,
            )
        };
        // SAFETY: as above.
        let address = unsafe { qemu_plugin_insn_vaddr(instruction) };
        let spans_here = SPANS
            .lock()
            .map(|spans| {
                spans
                    .iter()
                    .any(|span| span.from == address || span.to == address)
            })
            .unwrap_or(false);
        if spans_here {
            // SAFETY: as above; the address is passed by value as the callback's data.
            unsafe {
                qemu_plugin_register_vcpu_insn_exec_cb(
                    instruction,
                    on_span_instruction,
                    CALLBACK_NO_REGISTERS,
                    address as *mut c_void,
                )
            };
        }
        if watching {
            // SAFETY: as above.
            unsafe {
                qemu_plugin_register_vcpu_mem_cb(
                    instruction,
                    on_store,
                    CALLBACK_NO_REGISTERS,
                    MEMORY_WRITES,
                    std::ptr::null_mut(),
                )
            };
        }
        if index + 1 == count {
            // SAFETY: as above; the data pointer covers `size` bytes of the instruction.
            let (size, data, address) = unsafe {
                (
                    qemu_plugin_insn_size(instruction),
                    qemu_plugin_insn_data(instruction).cast::<u8>(),
                    qemu_plugin_insn_vaddr(instruction),
                )
            };
            if size == 4 && !data.is_null() {
                // SAFETY: four readable bytes (checked size).
                let bytes = unsafe { std::slice::from_raw_parts(data, 4) };
                let word = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
                last_word = Some((word, address as u32));
            }
        }
    }
    let Ok(mut guard) = PROFILE.lock() else {
        return;
    };
    let Some(profile) = guard.as_mut() else {
        return;
    };
    let record: &'static Block = Box::leak(Box::new(Block {
        // SAFETY: `block` is valid here.
        address: unsafe { qemu_plugin_tb_vaddr(block) },
        instructions: count as u64,
        executions: AtomicU64::new(0),
        call_return: last_word.and_then(|(word, address)| call_return_address(word, address)),
    }));
    profile.blocks.push(record);
    // SAFETY: the counter lives for the rest of the process (leaked above).
    unsafe {
        qemu_plugin_register_vcpu_tb_exec_inline(
            block,
            INLINE_ADD_U64,
            record.executions.as_ptr().cast(),
            1,
        );
        qemu_plugin_register_vcpu_tb_exec_cb(
            block,
            on_block,
            CALLBACK_NO_REGISTERS,
            (record as *const Block).cast_mut().cast(),
        );
    }
}

extern "C" fn on_exit(_id: PluginId, _data: *mut c_void) {
    if let Ok(mut guard) = WATCH.lock() {
        if let Some(watch) = guard.as_mut() {
            if let Ok(spans) = SPANS.lock() {
                for span in spans.iter() {
                    let mean = span.total.checked_div(span.count).unwrap_or(0);
                    let _ = writeln!(
                        watch.log,
                        "span {:#x} {:#x} {} {} {mean} {}",
                        span.from, span.to, span.count, span.minimum, span.maximum
                    );
                }
            }
            let _ = writeln!(watch.log, "total {}", INSTRUCTIONS.load(Ordering::Relaxed));
            let _ = watch.log.flush();
        }
    }
    if let Ok(guard) = PROFILE.lock() {
        if let Some(profile) = guard.as_ref() {
            let _ = write_profile(profile);
        }
    }
}

fn write_profile(profile: &Profile) -> std::io::Result<()> {
    let mut out = BufWriter::new(File::create(&profile.file)?);
    let mut merged: HashMap<(u64, u64), u64> = HashMap::new();
    for block in &profile.blocks {
        *merged
            .entry((block.address, block.instructions))
            .or_insert(0) += block.executions.load(Ordering::Relaxed);
    }
    let mut blocks: Vec<_> = merged.into_iter().filter(|(_, count)| *count > 0).collect();
    blocks.sort_unstable();
    for ((address, instructions), executions) in blocks {
        writeln!(out, "block {address:#x} {instructions} {executions}")?;
    }
    let mut samples: Vec<_> = profile.samples.iter().collect();
    samples.sort_unstable();
    for (stack, count) in samples {
        let frames: Vec<String> = stack
            .iter()
            .map(|address| format!("{address:#x}"))
            .collect();
        writeln!(out, "stack {count} {}", frames.join(";"))?;
    }
    writeln!(out, "total {}", INSTRUCTIONS.load(Ordering::Relaxed))?;
    out.flush()
}

/// Plugin entry point: parses the arguments and registers the callbacks.
///
/// # Safety
/// Called by QEMU with `argc` valid C strings in `argv`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qemu_plugin_install(
    id: PluginId,
    _info: *const c_void,
    argc: c_int,
    argv: *const *const c_char,
) -> c_int {
    let mut arguments = Vec::new();
    for index in 0..usize::try_from(argc).unwrap_or(0) {
        // SAFETY: QEMU passes `argc` NUL-terminated strings.
        let argument = unsafe { CStr::from_ptr(*argv.add(index)) };
        arguments.push(argument.to_string_lossy().into_owned());
    }
    let options = match parse_options(arguments.iter().map(String::as_str)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("pipyos-qemu-plugin: {message}");
            return -1;
        }
    };
    if let Ok(mut spans) = SPANS.lock() {
        spans.extend(options.spans.iter().map(|&(from, to)| Span {
            from,
            to,
            ..Span::default()
        }));
    }
    if let Some(address) = options.watch {
        let path = options.out.as_deref().unwrap_or("uartcount.log");
        let Ok(file) = File::create(path) else {
            eprintln!("pipyos-qemu-plugin: cannot create {path}");
            return -1;
        };
        if let Ok(mut watch) = WATCH.lock() {
            *watch = Some(Watch {
                address,
                stores: 0,
                log: BufWriter::new(file),
            });
        }
    }
    if let Some(file) = options.profile {
        if let Some(start) = options.start {
            let _ = START_ADDRESS.set(start);
        } else {
            PROFILING.store(true, Ordering::Relaxed);
        }
        if let Ok(mut profile) = PROFILE.lock() {
            *profile = Some(Profile {
                file,
                interval: options.interval,
                start: options.start,
                blocks: Vec::new(),
                shadow_stack: Vec::new(),
                pending_call: None,
                next_sample: options.interval,
                samples: HashMap::new(),
            });
        }
    }
    // SAFETY: `id` is this plugin's id; the callbacks are `extern "C"` functions of this library.
    unsafe {
        qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
        qemu_plugin_register_atexit_cb(id, on_exit, std::ptr::null_mut());
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse() {
        let options = parse_options(["watch=0x20201000", "out=log.txt"]).unwrap();
        assert_eq!(options.watch, Some(0x2020_1000));
        assert_eq!(options.out.as_deref(), Some("log.txt"));
        let options = parse_options(["profile=p.txt", "interval=500", "start=0x8000"]).unwrap();
        assert_eq!(options.interval, 500);
        assert_eq!(options.start, Some(0x8000));
        assert!(parse_options(["bogus"]).is_err());
        assert!(parse_options(["watch=zz"]).is_err());
        assert!(parse_options(["colour=red"]).is_err());
        let options = parse_options(["span=0x1c:0x8000", "span=1:2"]).unwrap();
        assert_eq!(options.spans, [(0x1c, 0x8000), (1, 2)]);
        assert!(parse_options(["span=0x1c"]).is_err());
    }

    #[test]
    fn calls_are_recognised() {
        // bl (always), blne, blx immediate, blx r3; not: b, bx lr, mov.
        assert_eq!(call_return_address(0xeb00_0010, 0x8000), Some(0x8004));
        assert_eq!(call_return_address(0x1b00_0010, 0x8000), Some(0x8004));
        assert_eq!(call_return_address(0xfa00_0010, 0x8000), Some(0x8004));
        assert_eq!(call_return_address(0xe12f_ff33, 0x8000), Some(0x8004));
        assert_eq!(call_return_address(0xea00_0010, 0x8000), None);
        assert_eq!(call_return_address(0xe12f_ff1e, 0x8000), None);
        assert_eq!(call_return_address(0xe1a0_0001, 0x8000), None);
    }
}
