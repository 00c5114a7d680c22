//! `_display`: the native half of the `display` module (`lib/display.py`): the screen's
//! geometry, TrueType text at any size, and handing the screen to and from the console.
pub(crate) use display_native::module_def;

#[rustpython_vm::pymodule(name = "_display")]
mod display_native {
    use fbconsole::TextStyle;
    use rustpython_vm::{
        builtins::PyUtf8StrRef, function::OptionalArg, PyObjectRef, PyResult, TryFromObject,
        VirtualMachine,
    };

    /// `(width, height, pitch, depth, framebuf format)`, or None without a screen.
    #[pyfunction]
    fn info(vm: &VirtualMachine) -> PyObjectRef {
        match crate::display::info() {
            None => vm.ctx.none(),
            Some(info) => {
                let format = info.framebuf_format();
                vm.new_tuple((
                    info.width,
                    info.height,
                    info.pitch,
                    info.depth,
                    format.number(),
                ))
                .into()
            }
        }
    }

    /// Draws `text` on one line with its first cell's top-left at (x, y), in the screen's
    /// colour `color`, at `size` pixels, over `background` (a colour, or None: blended over
    /// what is there). Returns (width, height) of the text's cells.
    #[pyfunction]
    fn text(
        text: PyUtf8StrRef,
        x: i64,
        y: i64,
        color: i64,
        size: i64,
        background: PyObjectRef,
        vm: &VirtualMachine,
    ) -> PyResult<(u32, u32)> {
        let info = crate::display::info()
            .ok_or_else(|| crate::python::posix::os_error_with_message(vm, 19, "no screen"))?;
        let size = u32::try_from(size)
            .ok()
            .filter(|size| {
                (fbconsole::glyphs::MIN_FONT_SIZE..=fbconsole::glyphs::MAX_FONT_SIZE).contains(size)
            })
            .ok_or_else(|| {
                vm.new_value_error(format!(
                    "text size {size}: {} to {} pixels",
                    fbconsole::glyphs::MIN_FONT_SIZE,
                    fbconsole::glyphs::MAX_FONT_SIZE
                ))
            })?;
        let background = if vm.is_none(&background) {
            None
        } else {
            Some(
                info.format
                    .decode(i64::try_from_object(vm, background)? as u32),
            )
        };
        let style = TextStyle {
            size,
            foreground: info.format.decode(color as u32),
            background,
        };
        let clamp = |value: i64| value.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
        let text = text.as_str().to_owned();
        crate::display::with_surface_and_glyphs(|surface, glyphs| {
            glyphs.render_text_line(surface, clamp(x), clamp(y), &text, style)
        })
        .ok_or_else(|| crate::python::posix::os_error_with_message(vm, 19, "no screen"))?
        .map(|extent| (extent.width, extent.height))
        .map_err(|error| vm.new_value_error(error.to_string()))
    }

    /// `console()`: whether console text reaches the screen; `console(flag)` sets it (False
    /// hands the whole screen to the application, True repaints the console's text).
    #[pyfunction]
    fn console(enabled: OptionalArg<bool>) -> bool {
        if let OptionalArg::Present(enabled) = enabled {
            crate::display::set_console_enabled(enabled);
        }
        crate::display::console_enabled()
    }
}
