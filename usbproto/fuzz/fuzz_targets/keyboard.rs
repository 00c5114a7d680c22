//! Fuzz target: a stream of keyboard (and mouse) reports with timestamps; the first byte picks
//! the layout, then each record is a length byte, a time step byte and that many report bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use usbproto::keyboard::{BootKeyboardReport, KeyEvents, KeyboardOutput};
use usbproto::{Keyboard, Layout, MouseReport};

fuzz_target!(|bytes: &[u8]| {
    let Some((&choice, mut rest)) = bytes.split_first() else {
        return;
    };
    let layout = Layout::ALL[usize::from(choice) % Layout::ALL.len()];
    let mut keyboard = Keyboard::new(layout);
    let mut now = 0u64;
    while let [length, step, tail @ ..] = rest {
        let length = usize::from(*length % 12).min(tail.len());
        let (report, remaining) = tail.split_at(length);
        rest = remaining;
        now += u64::from(*step) * 4;
        let _ = MouseReport::parse(report);
        match keyboard.feed_report(report, now) {
            Ok(output) => {
                assert!(output.events().len() <= KeyEvents::CAPACITY);
                assert!(output.bytes().len() <= KeyboardOutput::BYTE_CAPACITY);
                assert_eq!(
                    Ok(keyboard.last_report()),
                    BootKeyboardReport::parse(report)
                );
            }
            Err(_) => assert!(BootKeyboardReport::parse(report).is_err()),
        }
        let ticked = keyboard.tick(now);
        assert!(ticked.leds().is_none());
        if let Some(due) = keyboard.next_repeat_ms() {
            assert!(due > now || keyboard.repeat_settings().interval_ms == 0);
        }
    }
});
