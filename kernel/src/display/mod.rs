//! The HDMI screen: the firmware's framebuffer, the text console on it (a console sink), and
//! the access Python's `display` and `framebuf` modules draw through.
//!
//! Start-up ([`init`]): the size comes from the firmware (which applies config.txt's
//! `framebuffer_width`/`_height`/`_depth`), then from `/etc/pipyos.conf` keys of the same names,
//! else 640x480 at 16 bpp; one property message sets it and allocates the buffer; the MMU maps
//! the buffer write-through; the console sink is registered. Any failure is logged on serial
//! and the board runs serial-only.
mod emergency;

use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard, TryLockError};

use fbconsole::{Console, ConsoleConfig, Framebuffer, GlyphCache, PixelFormat};

use crate::{
    arch::arm::mmu::{self, SectionKind},
    bsp::rpi1::MAILBOX,
    drivers::bcm2835_mailbox::{tag, PropertyMessage},
    sync::SetOnce,
};

/// The size used when neither the firmware nor the configuration gives one (QEMU's default).
pub const FALLBACK_WIDTH: u32 = 640;
/// See [`FALLBACK_WIDTH`].
pub const FALLBACK_HEIGHT: u32 = 480;
/// See [`FALLBACK_WIDTH`].
pub const FALLBACK_DEPTH: u32 = 16;
/// The largest screen side accepted (the firmware's own limit on a BCM2835).
const MAX_SIDE: u32 = 4096;

/// The screen's geometry and memory, as the firmware allocated it.
#[derive(Clone, Copy, Debug)]
pub struct ScreenInfo {
    /// Pixels per row.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// Bytes from one row to the next.
    pub pitch: usize,
    /// Bits per pixel (16 or 32).
    pub depth: u32,
    /// How pixels are stored.
    pub format: PixelFormat,
    /// ARM physical (= virtual) address of the first pixel.
    base: usize,
    /// Bytes of the buffer.
    length: usize,
}

impl ScreenInfo {
    /// The `framebuf` format that stores this screen's pixels (RGB565, or XRGB8888 at 32 bpp).
    pub fn framebuf_format(&self) -> fbconsole::framebuf::Format {
        match self.format {
            PixelFormat::Rgb565 => fbconsole::framebuf::Format::Rgb565,
            _ => fbconsole::framebuf::Format::Xrgb8888,
        }
    }
}

static INFO: SetOnce<ScreenInfo> = SetOnce::new();

/// The screen's text console; the mutex also guards every access to the pixels outside the
/// emergency path.
static SCREEN: Mutex<Option<Console>> = Mutex::new(None);

/// Whether console output reaches the screen (`display.console(False)` hands it to the app).
static CONSOLE_ENABLED: AtomicBool = AtomicBool::new(true);

/// The pixel row below the console's cursor line, where an emergency report starts.
static CURSOR_BOTTOM: AtomicU32 = AtomicU32::new(0);

/// The screen, if one was set up.
pub fn info() -> Option<&'static ScreenInfo> {
    INFO.get()
}

/// What the firmware gave, in [`allocate`].
struct Allocation {
    width: u32,
    height: u32,
    depth: u32,
    pitch: u32,
    pixel_order: u32,
    bus_address: u32,
    length: u32,
}

/// The requested size: the firmware's current one (from config.txt on a real board), the
/// configuration file's keys over it, the fallback for what neither gives.
fn requested_size() -> (u32, u32, u32) {
    let mut message = PropertyMessage::new();
    let size = message.add(tag::GET_PHYSICAL_SIZE, &[], 2);
    let depth = message.add(tag::GET_DEPTH, &[], 1);
    let answered = MAILBOX.send(&mut message).is_ok();
    let answer = |handle: Option<_>, index: usize| {
        handle
            .filter(|_| answered)
            .and_then(|handle| message.response(handle).ok())
            .and_then(|words: &[u32]| words.get(index).copied())
            .filter(|&value| value != 0)
    };
    let config = crate::config::get();
    let width = config
        .framebuffer_width
        .or(answer(size, 0))
        .unwrap_or(FALLBACK_WIDTH);
    let height = config
        .framebuffer_height
        .or(answer(size, 1))
        .unwrap_or(FALLBACK_HEIGHT);
    let depth = config
        .framebuffer_depth
        .or(answer(depth, 0).filter(|depth| matches!(depth, 16 | 32)))
        .unwrap_or(FALLBACK_DEPTH);
    (width, height, depth)
}

/// Sets the size and depth and allocates the buffer, in one property message; checks every
/// answer.
fn allocate(width: u32, height: u32, depth: u32) -> Result<Allocation, String> {
    // 32 bpp in BGR order stores 0x00RRGGBB words (framebuf's XRGB8888); 16 bpp is RGB565 in
    // the firmware's RGB order.
    let order = if depth == 32 { 0 } else { 1 };
    let mut message = PropertyMessage::new();
    let full = || "the property message is full".to_owned();
    let physical = message
        .add(tag::SET_PHYSICAL_SIZE, &[width, height], 2)
        .ok_or_else(full)?;
    let virtual_size = message
        .add(tag::SET_VIRTUAL_SIZE, &[width, height], 2)
        .ok_or_else(full)?;
    let offset = message
        .add(tag::SET_VIRTUAL_OFFSET, &[0, 0], 2)
        .ok_or_else(full)?;
    let depth_tag = message.add(tag::SET_DEPTH, &[depth], 1).ok_or_else(full)?;
    let order_tag = message
        .add(tag::SET_PIXEL_ORDER, &[order], 1)
        .ok_or_else(full)?;
    let buffer = message
        .add(tag::ALLOCATE_BUFFER, &[16, 0], 2)
        .ok_or_else(full)?;
    let pitch = message.add(tag::GET_PITCH, &[], 1).ok_or_else(full)?;
    MAILBOX
        .send(&mut message)
        .map_err(|error| format!("the firmware refused the framebuffer message ({error:?})"))?;
    let words = |handle, name: &str, count: usize| -> Result<Vec<u32>, String> {
        let words = message
            .response(handle)
            .map_err(|error| format!("{name}: {error:?}"))?;
        if words.len() < count {
            return Err(format!("{name}: short answer"));
        }
        Ok(words[..count].to_vec())
    };
    let physical = words(physical, "set physical size", 2)?;
    let virtual_size = words(virtual_size, "set virtual size", 2)?;
    words(offset, "set virtual offset", 2)?;
    let depth_answer = words(depth_tag, "set depth", 1)?[0];
    let pixel_order = words(order_tag, "set pixel order", 1)?[0];
    let buffer = words(buffer, "allocate buffer", 2)?;
    let pitch = words(pitch, "get pitch", 1)?[0];
    if physical != [width, height] || virtual_size != [width, height] {
        return Err(format!(
            "asked for {width}x{height}, the firmware gave {}x{}",
            physical[0], physical[1]
        ));
    }
    if depth_answer != depth {
        return Err(format!(
            "asked for {depth} bpp, the firmware gave {depth_answer}"
        ));
    }
    Ok(Allocation {
        width,
        height,
        depth,
        pitch,
        pixel_order,
        bus_address: buffer[0],
        length: buffer[1],
    })
}

/// Sets up the screen and its console sink; on any failure says why on serial and leaves the
/// board serial-only.
pub fn init() {
    if let Err(reason) = try_init() {
        crate::console::write(format!("PiPyOS: no screen ({reason}); serial only\n").as_bytes());
    }
}

fn try_init() -> Result<(), String> {
    let (width, height, depth) = requested_size();
    if !(1..=MAX_SIDE).contains(&width) || !(1..=MAX_SIDE).contains(&height) {
        return Err(format!("bad framebuffer size {width}x{height}"));
    }
    if !matches!(depth, 16 | 32) {
        return Err(format!("framebuffer_depth {depth}: 16 or 32 supported"));
    }
    let allocation = allocate(width, height, depth)?;
    let format = match (allocation.depth, allocation.pixel_order) {
        (16, _) => PixelFormat::Rgb565,
        (_, 0) => PixelFormat::Xrgb8888,
        _ => PixelFormat::Xbgr8888,
    };
    let pitch = allocation.pitch as usize;
    let needed = pitch * allocation.height as usize;
    if allocation.bus_address == 0
        || pitch < allocation.width as usize * format.bytes_per_pixel()
        || (allocation.length as usize) < needed
    {
        return Err(format!(
            "the firmware's buffer is unusable (address {:#x}, {} bytes, pitch {pitch})",
            allocation.bus_address, allocation.length
        ));
    }
    // The GPU answers with a bus address; the ARM sees the same RAM without the alias bits.
    let base = (allocation.bus_address & 0x3FFF_FFFF) as usize;
    mmu::map_region(base, needed, SectionKind::WriteThrough)
        .map_err(|error| format!("cannot map the framebuffer at {base:#x}: {error}"))?;
    let info = ScreenInfo {
        width: allocation.width,
        height: allocation.height,
        pitch,
        depth: allocation.depth,
        format,
        base,
        length: needed,
    };
    INFO.set(info);
    let glyphs = GlyphCache::new().map_err(|error| format!("font: {error:?}"))?;
    let mut console = Console::new(glyphs, info.width, info.height, ConsoleConfig::default())
        .map_err(|error| format!("console: {error:?}"))?;
    {
        let mut guard = lock();
        with_pixels(&mut guard, |surface| console.redraw_all(surface));
        *guard = Some(console);
    }
    crate::console::register_sink(&SCREEN_SINK).map_err(str::to_owned)
}

/// Locks the screen (the console and the pixels).
fn lock() -> MutexGuard<'static, Option<Console>> {
    SCREEN
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The screen's pixels as a surface, for the holder of the screen lock.
fn with_pixels<R>(
    _guard: &mut MutexGuard<'static, Option<Console>>,
    f: impl FnOnce(&mut Framebuffer<'_>) -> R,
) -> Option<R> {
    let info = INFO.get()?;
    // SAFETY: the buffer was allocated to us by the firmware and mapped at `base` for the
    // kernel's whole life; the screen lock (whose guard the caller lends) makes this the only
    // reference, apart from the emergency path, which runs only when the board is stopping.
    let pixels = unsafe { core::slice::from_raw_parts_mut(info.base as *mut u8, info.length) };
    let mut surface =
        Framebuffer::new(pixels, info.width, info.height, info.pitch, info.format).ok()?;
    Some(f(&mut surface))
}

/// Runs `f` on the screen's pixel bytes (for `framebuf` drawing); `None` without a screen.
pub fn with_screen_bytes<R>(f: impl FnOnce(&mut [u8], &ScreenInfo) -> R) -> Option<R> {
    let info = INFO.get()?;
    let _guard = lock();
    // SAFETY: as in `with_pixels`: the mapped buffer, borrowed under the screen lock.
    let pixels = unsafe { core::slice::from_raw_parts_mut(info.base as *mut u8, info.length) };
    Some(f(pixels, info))
}

/// Runs `f` with the surface and the glyph cache (for `display.text`); `None` without a screen.
pub fn with_surface_and_glyphs<R>(
    f: impl FnOnce(&mut Framebuffer<'_>, &mut GlyphCache) -> R,
) -> Option<R> {
    let mut guard = lock();
    let mut console = guard.take()?;
    let result = with_pixels(&mut guard, |surface| f(surface, console.glyphs_mut()));
    *guard = Some(console);
    result
}

/// Hands the screen to the application (`false`: console text stops reaching it) or gives it
/// back to the console (`true`: the console repaints its text).
pub fn set_console_enabled(enabled: bool) {
    let was = CONSOLE_ENABLED.swap(enabled, Ordering::AcqRel);
    if enabled && !was {
        let mut guard = lock();
        if let Some(mut console) = guard.take() {
            with_pixels(&mut guard, |surface| console.redraw_all(surface));
            *guard = Some(console);
        }
    }
}

/// Whether console text reaches the screen.
pub fn console_enabled() -> bool {
    CONSOLE_ENABLED.load(Ordering::Acquire)
}

/// The text console as a console sink.
struct ScreenSink;

static SCREEN_SINK: ScreenSink = ScreenSink;

impl crate::console::Sink for ScreenSink {
    fn write(&self, bytes: &[u8]) {
        if !console_enabled() {
            return;
        }
        let mut guard = match SCREEN.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            // Output from inside screen drawing (a panic there): the panic report takes the
            // emergency path instead.
            Err(TryLockError::WouldBlock) => return,
        };
        let Some(mut console) = guard.take() else {
            return;
        };
        with_pixels(&mut guard, |surface| console.write(surface, bytes));
        let metrics = console.cell_metrics();
        let bottom = (console.cursor().1 + 1) * metrics.height + console.config().margin_y;
        CURSOR_BOTTOM.store(bottom, Ordering::Relaxed);
        *guard = Some(console);
    }

    fn write_emergency(&self, bytes: &[u8]) {
        if let Some(info) = INFO.get() {
            emergency::write(info, CURSOR_BOTTOM.load(Ordering::Relaxed), bytes);
        }
    }

    fn carries_protocol(&self) -> bool {
        false
    }
}
