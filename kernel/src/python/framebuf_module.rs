//! `_framebuf`: the native half of MicroPython's `framebuf` (the class is `lib/framebuf.py`):
//! each call wraps a Python buffer, or the screen, in a `fbconsole::framebuf::FrameBuf`.
pub(crate) use framebuf_native::module_def;

#[rustpython_vm::pymodule(name = "_framebuf")]
mod framebuf_native {
    use fbconsole::framebuf::{Error, Format, FrameBuf, FrameBufView, Geometry};
    use rustpython_vm::{
        builtins::{PyTupleRef, PyUtf8StrRef},
        function::{ArgBytesLike, ArgMemoryBuffer},
        PyObjectRef, PyResult, TryFromObject, VirtualMachine,
    };

    fn value_error(
        vm: &VirtualMachine,
        error: Error,
    ) -> rustpython_vm::builtins::PyBaseExceptionRef {
        vm.new_value_error(error.to_string())
    }

    fn no_screen(vm: &VirtualMachine) -> rustpython_vm::builtins::PyBaseExceptionRef {
        crate::python::posix::os_error_with_message(vm, 19, "no screen")
    }

    /// An integer argument, clamped to `i32` (coordinates far off the buffer just clip).
    fn coordinate(vm: &VirtualMachine, value: &PyObjectRef) -> PyResult<i32> {
        let value = i64::try_from_object(vm, value.clone())?;
        Ok(value.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32)
    }

    /// A colour argument: its low 32 bits (each format keeps the bits it stores).
    fn color(vm: &VirtualMachine, value: &PyObjectRef) -> PyResult<u32> {
        let value = i64::try_from_object(vm, value.clone())?;
        Ok(value as u32)
    }

    fn flag(vm: &VirtualMachine, value: &PyObjectRef) -> PyResult<bool> {
        value.clone().is_true(vm)
    }

    /// `(width, height, format, stride or None)` as a geometry; bad values raise `ValueError`.
    fn parse_geometry(spec: &PyTupleRef, vm: &VirtualMachine) -> PyResult<Geometry> {
        let items = spec.as_slice();
        if items.len() != 4 {
            return Err(vm.new_type_error("geometry is (width, height, format, stride)".to_owned()));
        }
        let side = |value: &PyObjectRef, name: &str| -> PyResult<u32> {
            let value = i64::try_from_object(vm, value.clone())?;
            u32::try_from(value)
                .ok()
                .filter(|&side| side > 0)
                .ok_or_else(|| vm.new_value_error(format!("{name} must be positive, not {value}")))
        };
        let width = side(&items[0], "width")?;
        let height = side(&items[1], "height")?;
        let format = Format::from_number(i64::try_from_object(vm, items[2].clone())?)
            .map_err(|error| value_error(vm, error))?;
        let stride = if vm.is_none(&items[3]) {
            None
        } else {
            Some(side(&items[3], "stride")?)
        };
        Geometry::new(width, height, format, stride).map_err(|error| value_error(vm, error))
    }

    /// Runs `f` on the target: a writable buffer, or the screen when `target` is None.
    fn with_target<R>(
        target: &PyObjectRef,
        geometry: Geometry,
        vm: &VirtualMachine,
        f: impl FnOnce(&mut FrameBuf<'_>) -> R,
    ) -> PyResult<R> {
        if vm.is_none(target) {
            return crate::display::with_screen_bytes(|bytes, _| {
                FrameBuf::new(bytes, geometry).map(|mut buffer| f(&mut buffer))
            })
            .ok_or_else(|| no_screen(vm))?
            .map_err(|error| value_error(vm, error));
        }
        let buffer = ArgMemoryBuffer::try_from_object(vm, target.clone())?;
        let mut bytes = buffer.borrow_buf_mut();
        FrameBuf::new(&mut bytes, geometry)
            .map(|mut framebuffer| f(&mut framebuffer))
            .map_err(|error| value_error(vm, error))
    }

    /// A copy of a source's bytes (blit sources and palettes may be the target itself).
    fn source_bytes(source: &PyObjectRef, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        if vm.is_none(source) {
            return crate::display::with_screen_bytes(|bytes, _| bytes.to_vec())
                .ok_or_else(|| no_screen(vm));
        }
        let buffer = ArgBytesLike::try_from_object(vm, source.clone())?;
        let bytes = buffer.borrow_buf().to_vec();
        Ok(bytes)
    }

    /// Checks a buffer against a geometry (as the constructor does); returns the stride used.
    #[pyfunction]
    fn check(target: PyObjectRef, spec: PyTupleRef, vm: &VirtualMachine) -> PyResult<u32> {
        let geometry = parse_geometry(&spec, vm)?;
        with_target(&target, geometry, vm, |_| geometry.stride())
    }

    /// Runs one drawing operation by name with its arguments.
    #[pyfunction]
    fn draw(
        target: PyObjectRef,
        spec: PyTupleRef,
        operation: PyUtf8StrRef,
        arguments: PyTupleRef,
        vm: &VirtualMachine,
    ) -> PyResult<PyObjectRef> {
        let geometry = parse_geometry(&spec, vm)?;
        let arguments = arguments.as_slice();
        let name = operation.as_str();
        let expect = |count: usize| -> PyResult<()> {
            if arguments.len() == count {
                Ok(())
            } else {
                Err(vm.new_type_error(format!(
                    "{name}() takes {count} arguments ({} given)",
                    arguments.len()
                )))
            }
        };
        let at = |index: usize| coordinate(vm, &arguments[index]);
        let none = vm.ctx.none();
        match name {
            "fill" => {
                expect(1)?;
                let c = color(vm, &arguments[0])?;
                with_target(&target, geometry, vm, |buffer| buffer.fill(c))?;
            }
            "get_pixel" => {
                expect(2)?;
                let (x, y) = (at(0)?, at(1)?);
                let value = with_target(&target, geometry, vm, |buffer| buffer.pixel(x, y))?;
                return Ok(value.map_or(none, |value| vm.ctx.new_int(value).into()));
            }
            "set_pixel" => {
                expect(3)?;
                let (x, y, c) = (at(0)?, at(1)?, color(vm, &arguments[2])?);
                with_target(&target, geometry, vm, |buffer| buffer.set_pixel(x, y, c))?;
            }
            "hline" | "vline" => {
                expect(4)?;
                let (x, y, length, c) = (at(0)?, at(1)?, at(2)?, color(vm, &arguments[3])?);
                with_target(&target, geometry, vm, |buffer| {
                    if name == "hline" {
                        buffer.hline(x, y, length, c)
                    } else {
                        buffer.vline(x, y, length, c)
                    }
                })?;
            }
            "rect" => {
                expect(6)?;
                let (x, y, w, h) = (at(0)?, at(1)?, at(2)?, at(3)?);
                let (c, fill) = (color(vm, &arguments[4])?, flag(vm, &arguments[5])?);
                with_target(&target, geometry, vm, |buffer| {
                    buffer.rect(x, y, w, h, c, fill)
                })?;
            }
            "fill_rect" => {
                expect(5)?;
                let (x, y, w, h) = (at(0)?, at(1)?, at(2)?, at(3)?);
                let c = color(vm, &arguments[4])?;
                with_target(&target, geometry, vm, |buffer| {
                    buffer.fill_rect(x, y, w, h, c)
                })?;
            }
            "line" => {
                expect(5)?;
                let (x1, y1, x2, y2) = (at(0)?, at(1)?, at(2)?, at(3)?);
                let c = color(vm, &arguments[4])?;
                with_target(&target, geometry, vm, |buffer| {
                    buffer.line(x1, y1, x2, y2, c)
                })?;
            }
            "ellipse" => {
                expect(7)?;
                let (x, y, xr, yr) = (at(0)?, at(1)?, at(2)?, at(3)?);
                let (c, fill) = (color(vm, &arguments[4])?, flag(vm, &arguments[5])?);
                let quadrants = (i64::try_from_object(vm, arguments[6].clone())? & 0xF) as u8;
                with_target(&target, geometry, vm, |buffer| {
                    buffer.ellipse(x, y, xr, yr, c, fill, quadrants)
                })?;
            }
            "poly" => {
                expect(5)?;
                let (x, y) = (at(0)?, at(1)?);
                let points = PyTupleRef::try_from_object(vm, arguments[2].clone())?;
                let points = points
                    .as_slice()
                    .iter()
                    .map(|value| coordinate(vm, value))
                    .collect::<PyResult<Vec<i32>>>()?;
                if points.len() % 2 != 0 {
                    return Err(
                        vm.new_value_error("poly coordinates must come in x, y pairs".to_owned())
                    );
                }
                let (c, fill) = (color(vm, &arguments[3])?, flag(vm, &arguments[4])?);
                with_target(&target, geometry, vm, |buffer| {
                    buffer.poly(x, y, &points, c, fill)
                })?;
            }
            "text" => {
                expect(4)?;
                let text = PyUtf8StrRef::try_from_object(vm, arguments[0].clone())?;
                let (x, y, c) = (at(1)?, at(2)?, color(vm, &arguments[3])?);
                let text = text.as_str().to_owned();
                with_target(&target, geometry, vm, |buffer| buffer.text(&text, x, y, c))?;
            }
            "scroll" => {
                expect(2)?;
                let (dx, dy) = (at(0)?, at(1)?);
                with_target(&target, geometry, vm, |buffer| buffer.scroll(dx, dy))?;
            }
            other => {
                return Err(vm.new_value_error(format!("no framebuf operation {other:?}")));
            }
        }
        Ok(none)
    }

    /// `blit`: draws `source` (buffer or None for the screen, with its geometry) at
    /// `placement` = (x, y, key or -1), through `palette` = None or (buffer, geometry).
    #[pyfunction]
    fn blit(
        target: PyObjectRef,
        spec: PyTupleRef,
        source: PyObjectRef,
        source_spec: PyTupleRef,
        placement: PyTupleRef,
        palette: PyObjectRef,
        vm: &VirtualMachine,
    ) -> PyResult<()> {
        let geometry = parse_geometry(&spec, vm)?;
        let source_geometry = parse_geometry(&source_spec, vm)?;
        let placement = placement.as_slice();
        if placement.len() != 3 {
            return Err(vm.new_type_error("placement is (x, y, key)".to_owned()));
        }
        let (x, y) = (
            coordinate(vm, &placement[0])?,
            coordinate(vm, &placement[1])?,
        );
        let key = i64::try_from_object(vm, placement[2].clone())?;
        let key = (key != -1).then_some(key as u32);
        let source_pixels = source_bytes(&source, vm)?;
        let source_view = FrameBufView::new(&source_pixels, source_geometry)
            .map_err(|error| value_error(vm, error))?;
        let palette = if vm.is_none(&palette) {
            None
        } else {
            let pair = PyTupleRef::try_from_object(vm, palette)?;
            let pair = pair.as_slice();
            if pair.len() != 2 {
                return Err(vm.new_type_error("palette is (buffer, geometry)".to_owned()));
            }
            let palette_geometry =
                parse_geometry(&PyTupleRef::try_from_object(vm, pair[1].clone())?, vm)?;
            Some((source_bytes(&pair[0], vm)?, palette_geometry))
        };
        let palette_view = match &palette {
            Some((bytes, palette_geometry)) => Some(
                FrameBufView::new(bytes, *palette_geometry)
                    .map_err(|error| value_error(vm, error))?,
            ),
            None => None,
        };
        with_target(&target, geometry, vm, |buffer| {
            buffer.blit(&source_view, x, y, key, palette_view.as_ref())
        })
    }
}
