//! Memory figures: heap taken by the parsed font, the cached glyphs and a console grid.
//!
//! `cargo test -p pipyos-fbconsole --test memory -- --nocapture` prints them. A counting
//! allocator wraps the system one; this file holds a single test so nothing else allocates
//! meanwhile.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use fbconsole::{Console, ConsoleConfig, Framebuffer, GlyphCache, PixelFormat, FONT_DATA};

/// Passes every call to the system allocator and keeps the live byte count.
struct Counting;

static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the
// counter is only bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded as received; `GlobalAlloc::alloc`'s contract is the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded as received; `pointer` came from `alloc` with this `layout`.
        unsafe { System.dealloc(pointer, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> isize {
    LIVE_BYTES.load(Ordering::Relaxed)
}

#[test]
fn font_and_glyph_memory() {
    let start = live();
    let mut glyphs = GlyphCache::new().expect("embedded font parses");
    let font_heap = live() - start;

    let before_glyphs = live();
    for code in 32u8..127 {
        glyphs.glyph(char::from(code), 16).unwrap();
    }
    let ascii_heap = live() - before_glyphs;
    let ascii_coverage = glyphs.cached_bytes();

    let before_console = live();
    let mut console = Console::new(glyphs, 640, 480, ConsoleConfig::default()).unwrap();
    let console_heap = live() - before_console;
    let mut pixels = vec![0u8; 640 * 480 * 2];
    let mut surface = Framebuffer::new(&mut pixels, 640, 480, 1280, PixelFormat::Rgb565).unwrap();
    console.redraw_all(&mut surface);

    println!(
        "embedded TTF (in the kernel image): {} bytes",
        FONT_DATA.len()
    );
    println!("parsed fontdue Font (heap):         {font_heap} bytes");
    println!(
        "95 ASCII glyphs at 16 px (heap):    {ascii_heap} bytes ({ascii_coverage} of coverage, {} glyphs)",
        console.glyphs().cached_glyphs()
    );
    println!("64x25 console grid (heap):          {console_heap} bytes");
    println!(
        "640x480 RGB565 screen:              {} bytes",
        640 * 480 * 2
    );

    assert_eq!(FONT_DATA.len(), 46_408);
    assert!(font_heap > 0 && font_heap < 16 * 1024 * 1024, "{font_heap}");
    assert!(ascii_coverage == 94 * 190, "{ascii_coverage}");
    assert!(ascii_heap < 64 * 1024, "{ascii_heap}");
}
