//! Host tests for latency statistics: buckets, min/max/mean/jitter, percentiles, saturation.

use rtsched::{
    bucket_bounds, bucket_index, LatencyStatistics, HISTOGRAM_BUCKETS, OVERFLOW_BUCKET,
    OVERFLOW_LIMIT_US,
};

#[test]
fn buckets_tile_the_latency_range_in_order() {
    assert_eq!(HISTOGRAM_BUCKETS, 73);
    let mut expected_lowest = 0;
    for index in 0..HISTOGRAM_BUCKETS {
        let (lowest, highest) = bucket_bounds(index).unwrap();
        assert_eq!(lowest, expected_lowest, "bucket {index} leaves a gap");
        assert!(highest >= lowest);
        assert_eq!(bucket_index(lowest), index);
        assert_eq!(bucket_index(highest), index);
        if index < OVERFLOW_BUCKET {
            // At most 1/8 of the lower bound wide above the exact range.
            assert!((lowest < 32 && highest == lowest) || (highest - lowest + 1) * 8 <= lowest);
        }
        expected_lowest = highest.wrapping_add(1);
    }
    assert_eq!(bucket_bounds(HISTOGRAM_BUCKETS), None);
    assert_eq!(bucket_bounds(usize::MAX), None);
    assert_eq!(
        bucket_bounds(OVERFLOW_BUCKET),
        Some((OVERFLOW_LIMIT_US, u64::MAX))
    );
    for latency in 0..=2_000u64 {
        let (lowest, highest) = bucket_bounds(bucket_index(latency)).unwrap();
        assert!(lowest <= latency && latency <= highest);
    }
    assert_eq!(bucket_index(31), 31);
    assert_eq!(bucket_index(32), 32);
    assert_eq!(bucket_index(35), 32);
    assert_eq!(bucket_index(36), 33);
    assert_eq!(bucket_index(1_000), 71);
    assert_eq!(bucket_index(1_023), 71);
    assert_eq!(bucket_index(1_024), OVERFLOW_BUCKET);
    assert_eq!(bucket_index(u64::MAX), OVERFLOW_BUCKET);
}

#[test]
fn empty_statistics_report_nothing() {
    let statistics = LatencyStatistics::new();
    assert_eq!(statistics, LatencyStatistics::default());
    assert_eq!(statistics.count(), 0);
    assert_eq!(statistics.sum_us(), 0);
    assert_eq!(statistics.min_us(), None);
    assert_eq!(statistics.max_us(), None);
    assert_eq!(statistics.mean_us(), None);
    assert_eq!(statistics.jitter_us(), None);
    assert_eq!(statistics.p99_us(), None);
    assert_eq!(statistics.percentile_us(0), None);
    assert!(statistics.histogram().iter().all(|&count| count == 0));
}

#[test]
fn summary_values_and_histogram() {
    let mut statistics = LatencyStatistics::new();
    for latency in [12, 3, 40, 3, 2_000, 700] {
        statistics.record(latency);
    }
    assert_eq!(statistics.count(), 6);
    assert_eq!(statistics.sum_us(), 2_758);
    assert_eq!(statistics.min_us(), Some(3));
    assert_eq!(statistics.max_us(), Some(2_000));
    assert_eq!(statistics.mean_us(), Some(459));
    assert_eq!(statistics.jitter_us(), Some(1_997));
    let histogram = statistics.histogram();
    assert_eq!(histogram[3], 2);
    assert_eq!(histogram[12], 1);
    assert_eq!(histogram[bucket_index(40)], 1);
    assert_eq!(histogram[bucket_index(700)], 1);
    assert_eq!(histogram[OVERFLOW_BUCKET], 1);
    assert_eq!(
        histogram.iter().map(|&count| u64::from(count)).sum::<u64>(),
        6
    );

    statistics.reset();
    assert_eq!(statistics, LatencyStatistics::new());
    statistics.record(5);
    assert_eq!(statistics.jitter_us(), Some(0));
    assert_eq!(statistics.mean_us(), Some(5));
}

#[test]
fn percentiles_come_from_the_histogram() {
    let mut statistics = LatencyStatistics::new();
    for _ in 0..990 {
        statistics.record(5);
    }
    for _ in 0..10 {
        statistics.record(650);
    }
    // Rank 990 of 1000 is still a 5 µs sample (exact bucket).
    assert_eq!(statistics.p99_us(), Some(5));
    assert_eq!(statistics.percentile_us(500), Some(5));
    // Rank 991 falls in the 640..=703 µs bucket, clamped to the largest sample.
    assert_eq!(statistics.percentile_us(991), Some(650));
    statistics.record(900);
    // Now the 650 µs bucket reports its upper end.
    assert_eq!(statistics.percentile_us(995), Some(703));
    assert_eq!(statistics.percentile_us(1_000), Some(900));
    assert_eq!(statistics.percentile_us(u32::MAX), Some(900));
    // The smallest rank reports the smallest sample's bucket.
    assert_eq!(statistics.percentile_us(0), Some(5));

    // Above the histogram's range the maximum is the best estimate.
    let mut slow = LatencyStatistics::new();
    for latency in [10_000, 20_000, 5_000] {
        slow.record(latency);
    }
    assert_eq!(slow.p99_us(), Some(20_000));
    assert_eq!(slow.percentile_us(0), Some(20_000));

    // Within one coarse bucket the estimate is clamped to the largest sample.
    let mut narrow = LatencyStatistics::new();
    narrow.record(600);
    narrow.record(601);
    assert_eq!(narrow.percentile_us(0), Some(601));
    assert_eq!(narrow.p99_us(), Some(601));
}

#[test]
fn p99_of_a_uniform_spread() {
    let mut statistics = LatencyStatistics::new();
    for latency in 0..1_000u64 {
        statistics.record(latency % 20);
    }
    // 0..=19 each 50 times: rank 990 is a 19.
    assert_eq!(statistics.p99_us(), Some(19));
    assert_eq!(statistics.percentile_us(500), Some(9));
}

#[test]
fn huge_values_saturate_instead_of_panicking() {
    let mut statistics = LatencyStatistics::new();
    statistics.record(u64::MAX);
    statistics.record(u64::MAX);
    statistics.record(0);
    assert_eq!(statistics.sum_us(), u64::MAX);
    assert_eq!(statistics.max_us(), Some(u64::MAX));
    assert_eq!(statistics.jitter_us(), Some(u64::MAX));
    assert_eq!(statistics.mean_us(), Some(u64::MAX / 3));
    assert_eq!(statistics.p99_us(), Some(u64::MAX));
    assert_eq!(statistics.percentile_us(0), Some(0));
}
