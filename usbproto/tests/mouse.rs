//! Boot mouse reports.

use usbproto::{MouseButtons, MouseReport, ReportError};

#[test]
fn three_byte_report() {
    let report = MouseReport::parse(&[0x01, 0x05, 0xfb]).unwrap();
    assert!(report.buttons.left());
    assert!(!report.buttons.right());
    assert!(!report.buttons.middle());
    assert_eq!((report.dx, report.dy, report.wheel), (5, -5, 0));
}

#[test]
fn four_byte_report_with_wheel() {
    // QEMU's usb-mouse: buttons, dx, dy, wheel (4-byte endpoint).
    let report = MouseReport::parse(&[0x06, 0x81, 0x7f, 0xff]).unwrap();
    assert!(report.buttons.right() && report.buttons.middle());
    assert_eq!((report.dx, report.dy, report.wheel), (-127, 127, -1));
    // Extra bytes are ignored.
    let longer = MouseReport::parse(&[0x06, 0x81, 0x7f, 0xff, 0x55, 0x66]).unwrap();
    assert_eq!(longer, report);
}

#[test]
fn short_reports_are_rejected() {
    assert_eq!(
        MouseReport::parse(&[0x01, 0x02]),
        Err(ReportError::TooShort {
            length: 2,
            minimum: 3
        })
    );
    assert!(MouseReport::parse(&[]).is_err());
}

#[test]
fn button_changes() {
    let before = MouseButtons(MouseButtons::LEFT | MouseButtons::MIDDLE);
    let after = MouseButtons(MouseButtons::LEFT | MouseButtons::RIGHT | MouseButtons::BACK);
    assert_eq!(
        after.pressed_since(before),
        MouseButtons(MouseButtons::RIGHT | MouseButtons::BACK)
    );
    assert_eq!(
        after.released_since(before),
        MouseButtons(MouseButtons::MIDDLE)
    );
    assert_eq!(after.pressed_since(after), MouseButtons::default());
    assert_eq!(MouseButtons::FORWARD, 0x10);
}
