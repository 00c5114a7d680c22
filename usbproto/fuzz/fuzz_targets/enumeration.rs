//! Fuzz target: a device that answers enumeration with arbitrary bytes or errors. Each reply
//! is a tag byte (0 to 4: an error kind; 5 + n: n bytes of data follow); the state machine
//! must end within a bounded number of steps.
#![no_main]

use libfuzzer_sys::fuzz_target;
use usbproto::{EnumerationSettings, Enumerator, Speed, Step, TransferError};

fuzz_target!(|bytes: &[u8]| {
    let mut enumerator = Enumerator::new(1, Speed::Full, EnumerationSettings::default());
    let mut step = enumerator.start(0);
    let mut rest = bytes;
    let mut now = 0u64;
    for _ in 0..200 {
        now += 1;
        step = match step {
            Step::Control(_) => {
                let Some((&tag, tail)) = rest.split_first() else {
                    return;
                };
                let result = match tag {
                    0 => Err(TransferError::Stall),
                    1 => Err(TransferError::Timeout),
                    2 => Err(TransferError::Transaction),
                    3 => Err(TransferError::Babble),
                    4 => Err(TransferError::Disconnected),
                    tag => {
                        let length = usize::from(tag - 5).min(tail.len());
                        Ok(&tail[..length])
                    }
                };
                rest = match result {
                    Ok(reply) => &tail[reply.len()..],
                    Err(_) => tail,
                };
                enumerator.transfer_complete(result, now)
            }
            Step::ResetPort => enumerator.reset_complete(now),
            Step::Done(device) => {
                assert!(device.configuration().is_some());
                return;
            }
            Step::Failed(_) => return,
        };
    }
    panic!("enumeration did not end within 200 steps");
});
