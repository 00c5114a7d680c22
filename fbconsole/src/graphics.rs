//! embedded-graphics drawing targets over a [`Framebuffer`]: `Rgb888`, or `Rgb565` colours.

use core::convert::Infallible;

use embedded_graphics::draw_target::DrawTarget;
use embedded_graphics::geometry::{OriginDimensions, Size};
use embedded_graphics::pixelcolor::{IntoStorage, Rgb565, Rgb888, RgbColor};
use embedded_graphics::primitives::Rectangle;
use embedded_graphics::Pixel;

use crate::color::Rgb;
use crate::surface::{Framebuffer, PixelFormat};

impl From<Rgb888> for Rgb {
    fn from(color: Rgb888) -> Rgb {
        Rgb::new(color.r(), color.g(), color.b())
    }
}

impl From<Rgb> for Rgb888 {
    fn from(color: Rgb) -> Rgb888 {
        Rgb888::new(color.red, color.green, color.blue)
    }
}

impl From<Rgb565> for Rgb {
    /// Widens the 5/6/5-bit channels by repeating their top bits (so 0x1F becomes 0xFF).
    fn from(color: Rgb565) -> Rgb {
        PixelFormat::Rgb565.decode(u32::from(color.into_storage()))
    }
}

/// Draws one rectangle from embedded-graphics' `fill_solid`, clipped by the framebuffer.
fn fill_area(surface: &mut Framebuffer<'_>, area: &Rectangle, color: Rgb) {
    surface.fill_rect(
        area.top_left.x,
        area.top_left.y,
        area.size.width,
        area.size.height,
        color,
    );
}

impl OriginDimensions for Framebuffer<'_> {
    fn size(&self) -> Size {
        Size::new(self.width(), self.height())
    }
}

/// Any embedded-graphics drawable in 24-bit colour; each colour is converted to the surface's
/// format. Pixels outside the surface are dropped.
impl DrawTarget for Framebuffer<'_> {
    type Color = Rgb888;
    type Error = Infallible;

    fn draw_iter<I>(&mut self, pixels: I) -> Result<(), Self::Error>
    where
        I: IntoIterator<Item = Pixel<Self::Color>>,
    {
        for Pixel(point, color) in pixels {
            self.set_pixel(point.x, point.y, color.into());
        }
        Ok(())
    }

    fn fill_contiguous<I>(&mut self, area: &Rectangle, colors: I) -> Result<(), Self::Error>
    where
        I: IntoIterator<Item = Self::Color>,
    {
        let (x, y) = (area.top_left.x, area.top_left.y);
        let Size { width, height } = area.size;
        self.paint_colors(x, y, width, height, colors.into_iter().map(Rgb::from));
        Ok(())
    }

    fn fill_solid(&mut self, area: &Rectangle, color: Self::Color) -> Result<(), Self::Error> {
        fill_area(self, area, color.into());
        Ok(())
    }

    fn clear(&mut self, color: Self::Color) -> Result<(), Self::Error> {
        self.fill(color.into());
        Ok(())
    }
}

/// An embedded-graphics target in `Rgb565` colour over a [`Framebuffer`] of any format: on
/// an [`PixelFormat::Rgb565`] surface each colour is stored exactly as given.
#[derive(Debug)]
pub struct Rgb565Target<'surface, 'pixels>(pub &'surface mut Framebuffer<'pixels>);

impl OriginDimensions for Rgb565Target<'_, '_> {
    fn size(&self) -> Size {
        self.0.size()
    }
}

impl DrawTarget for Rgb565Target<'_, '_> {
    type Color = Rgb565;
    type Error = Infallible;

    fn draw_iter<I>(&mut self, pixels: I) -> Result<(), Self::Error>
    where
        I: IntoIterator<Item = Pixel<Self::Color>>,
    {
        for Pixel(point, color) in pixels {
            self.0.set_pixel(point.x, point.y, color.into());
        }
        Ok(())
    }

    fn fill_solid(&mut self, area: &Rectangle, color: Self::Color) -> Result<(), Self::Error> {
        fill_area(self.0, area, color.into());
        Ok(())
    }

    fn clear(&mut self, color: Self::Color) -> Result<(), Self::Error> {
        self.0.fill(color.into());
        Ok(())
    }
}
