//! Host tests for the SPSC channel: full, empty, wrap-around, batches and a two-thread stress.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use rtsched::{Channel, Full};

#[test]
fn an_empty_channel_pops_nothing() {
    let channel: Channel<4> = Channel::new();
    assert_eq!(channel.capacity(), 4);
    assert_eq!(channel.len(), 0);
    assert!(channel.is_empty());
    assert!(!channel.is_full());
    assert_eq!(channel.try_pop(), None);
    let mut batch = [7u32; 3];
    assert_eq!(channel.pop_into(&mut batch), 0);
    assert_eq!(batch, [7, 7, 7]);
    assert_eq!(channel.dropped(), 0);
    let default: Channel<1> = Channel::default();
    assert_eq!(default.capacity(), 1);
}

#[test]
fn a_full_channel_refuses_and_counts_drops() {
    let channel: Channel<4> = Channel::new();
    for word in 10..14 {
        assert_eq!(channel.try_push(word), Ok(()));
    }
    assert!(channel.is_full());
    assert_eq!(channel.len(), 4);
    assert_eq!(channel.try_push(99), Err(Full(99)));
    assert_eq!(channel.try_push(98), Err(Full(98)));
    assert_eq!(channel.dropped(), 2);
    assert_eq!(channel.try_pop(), Some(10));
    assert_eq!(channel.try_push(14), Ok(()));
    let mut batch = [0u32; 8];
    assert_eq!(channel.pop_into(&mut batch), 4);
    assert_eq!(batch[..4], [11, 12, 13, 14]);
    assert_eq!(channel.dropped(), 2);

    let single: Channel<1> = Channel::new();
    assert_eq!(single.try_push(1), Ok(()));
    assert_eq!(single.try_push(2), Err(Full(2)));
    assert_eq!(single.try_pop(), Some(1));
    assert_eq!(single.try_push(3), Ok(()));
    assert_eq!(single.try_pop(), Some(3));
}

#[test]
fn words_keep_their_order_across_the_ring_end() {
    let channel: Channel<8> = Channel::new();
    let mut next_pushed = 0u32;
    let mut next_popped = 0u32;
    for round in 0..1_000 {
        for _ in 0..(round % 8 + 1) {
            channel.try_push(next_pushed).unwrap();
            next_pushed += 1;
        }
        assert_eq!(channel.len(), (next_pushed - next_popped) as usize);
        while let Some(word) = channel.try_pop() {
            assert_eq!(word, next_popped);
            next_popped += 1;
        }
    }
    assert_eq!(next_popped, next_pushed);
    assert_eq!(channel.dropped(), 0);
}

#[test]
fn batches_take_what_fits() {
    let channel: Channel<16> = Channel::new();
    // Move the ring's start so that the batch crosses its end.
    for word in 0..10 {
        channel.try_push(word).unwrap();
    }
    assert_eq!(channel.pop_into(&mut [0; 10]), 10);
    for word in 100..116 {
        channel.try_push(word).unwrap();
    }
    let mut small = [0u32; 5];
    assert_eq!(channel.pop_into(&mut small), 5);
    assert_eq!(small, [100, 101, 102, 103, 104]);
    assert_eq!(channel.pop_into(&mut []), 0);
    assert_eq!(channel.len(), 11);
    let mut large = [0u32; 32];
    assert_eq!(channel.pop_into(&mut large), 11);
    assert_eq!(large[..11], (105..116).collect::<Vec<u32>>()[..]);
    assert!(large[11..].iter().all(|&word| word == 0));
    assert!(channel.is_empty());
}

#[test]
fn a_static_channel_works() {
    static SAMPLES: Channel<32> = Channel::new();
    SAMPLES.try_push(5).unwrap();
    assert_eq!(SAMPLES.len(), 1);
    assert_eq!(SAMPLES.try_pop(), Some(5));
}

/// Words the stress tests send.
const STRESS_WORDS: u32 = 3_000_000;

#[test]
fn two_threads_lose_nothing_when_the_consumer_keeps_up() {
    let channel: Channel<1024> = Channel::new();
    let refused = thread::scope(|scope| {
        let producer = scope.spawn(|| {
            let mut refused = 0u32;
            for word in 0..STRESS_WORDS {
                // Retry until accepted: nothing is lost, every refusal is a counted drop.
                while channel.try_push(word).is_err() {
                    refused += 1;
                    thread::yield_now();
                }
            }
            refused
        });
        let mut expected = 0u32;
        let mut batch = [0u32; 256];
        while expected < STRESS_WORDS {
            // Alternate single pops and batches to exercise both.
            if expected.is_multiple_of(2) {
                if let Some(word) = channel.try_pop() {
                    assert_eq!(word, expected);
                    expected += 1;
                    continue;
                }
            }
            let count = channel.pop_into(&mut batch);
            for &word in &batch[..count] {
                assert_eq!(word, expected);
                expected += 1;
            }
            if count == 0 {
                thread::yield_now();
            }
        }
        producer.join().unwrap()
    });
    assert!(channel.is_empty());
    assert_eq!(channel.dropped(), refused);
}

#[test]
fn two_threads_count_every_drop_when_the_consumer_falls_behind() {
    let channel: Channel<64> = Channel::new();
    let producer_done = AtomicBool::new(false);
    let (accepted, received) = thread::scope(|scope| {
        let producer = scope.spawn(|| {
            let mut accepted = 0u32;
            for word in 0..STRESS_WORDS {
                if channel.try_push(word).is_ok() {
                    accepted += 1;
                }
            }
            producer_done.store(true, Ordering::Release);
            accepted
        });
        let mut received = 0u32;
        let mut last: Option<u32> = None;
        let mut batch = [0u32; 16];
        loop {
            let finished = producer_done.load(Ordering::Acquire);
            let count = channel.pop_into(&mut batch);
            for &word in &batch[..count] {
                // Words may be missing, but the rest arrive in order and only once.
                assert!(last.is_none_or(|previous| word > previous));
                last = Some(word);
                received += 1;
            }
            if finished && count == 0 {
                break;
            }
            // A slow consumer.
            thread::sleep(Duration::from_micros(200));
        }
        (producer.join().unwrap(), received)
    });
    assert_eq!(received, accepted);
    assert!(channel.dropped() > 0);
    assert_eq!(
        u64::from(accepted) + u64::from(channel.dropped()),
        u64::from(STRESS_WORDS)
    );
}
