//! Release-to-start latency statistics with a fixed log-linear histogram.
//!
//! Buckets: one bucket per microsecond from 0 to 31 µs (32 buckets, exact), then every
//! power-of-two range from 32 µs to 1023 µs is split into 8 equal buckets (32..=63 µs in
//! 4 µs steps, 64..=127 µs in 8 µs steps, up to 512..=1023 µs in 64 µs steps: 40 buckets, each
//! at most 12.5 % of its lower bound wide), then one overflow bucket for 1024 µs and more.
//! That is [`HISTOGRAM_BUCKETS`] = 73 counters of 32 bits.

/// Latencies below this many microseconds get one bucket each.
const EXACT_LIMIT_US: u64 = 32;
/// Buckets per power-of-two range above [`EXACT_LIMIT_US`].
const BUCKETS_PER_OCTAVE: usize = 8;
/// Base-two logarithm of [`BUCKETS_PER_OCTAVE`].
const BUCKETS_PER_OCTAVE_BITS: u32 = 3;
/// Base-two logarithm of [`EXACT_LIMIT_US`].
const FIRST_OCTAVE: u32 = 5;
/// Latencies of this many microseconds and more go to the overflow bucket.
pub const OVERFLOW_LIMIT_US: u64 = 1024;
/// Index of the overflow bucket.
pub const OVERFLOW_BUCKET: usize = 72;
/// Number of histogram buckets, the overflow bucket included.
pub const HISTOGRAM_BUCKETS: usize = OVERFLOW_BUCKET + 1;

/// The histogram bucket that a latency of `latency_us` microseconds falls in.
pub const fn bucket_index(latency_us: u64) -> usize {
    if latency_us < EXACT_LIMIT_US {
        return latency_us as usize;
    }
    if latency_us >= OVERFLOW_LIMIT_US {
        return OVERFLOW_BUCKET;
    }
    // 5..=9 for 32..=1023.
    let octave = u64::BITS - 1 - latency_us.leading_zeros();
    let step_bits = octave - BUCKETS_PER_OCTAVE_BITS;
    let position = ((latency_us >> step_bits) as usize) & (BUCKETS_PER_OCTAVE - 1);
    EXACT_LIMIT_US as usize + (octave - FIRST_OCTAVE) as usize * BUCKETS_PER_OCTAVE + position
}

/// The smallest and largest latency (both inclusive, in microseconds) counted by bucket `index`,
/// or `None` if there is no such bucket. The overflow bucket's upper end is `u64::MAX`.
pub const fn bucket_bounds(index: usize) -> Option<(u64, u64)> {
    if index < EXACT_LIMIT_US as usize {
        return Some((index as u64, index as u64));
    }
    if index == OVERFLOW_BUCKET {
        return Some((OVERFLOW_LIMIT_US, u64::MAX));
    }
    if index > OVERFLOW_BUCKET {
        return None;
    }
    let offset = index - EXACT_LIMIT_US as usize;
    let octave = FIRST_OCTAVE + (offset / BUCKETS_PER_OCTAVE) as u32;
    let position = (offset % BUCKETS_PER_OCTAVE) as u64;
    let step_bits = octave - BUCKETS_PER_OCTAVE_BITS;
    let lowest = (BUCKETS_PER_OCTAVE as u64 + position) << step_bits;
    Some((lowest, lowest + (1 << step_bits) - 1))
}

/// Count, minimum, maximum, sum and histogram of a series of latencies in microseconds.
///
/// Recording is O(1) and never panics: the sum saturates at `u64::MAX` and each histogram
/// counter at `u32::MAX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatencyStatistics {
    /// Number of recorded latencies.
    count: u64,
    /// Sum of the recorded latencies (saturating).
    sum_us: u64,
    /// Smallest recorded latency; `u64::MAX` while empty.
    min_us: u64,
    /// Largest recorded latency; zero while empty.
    max_us: u64,
    /// Number of latencies per bucket (see the module documentation).
    histogram: [u32; HISTOGRAM_BUCKETS],
}

impl Default for LatencyStatistics {
    fn default() -> Self {
        Self::new()
    }
}

impl LatencyStatistics {
    /// Empty statistics.
    pub const fn new() -> Self {
        Self {
            count: 0,
            sum_us: 0,
            min_us: u64::MAX,
            max_us: 0,
            histogram: [0; HISTOGRAM_BUCKETS],
        }
    }

    /// Adds one latency of `latency_us` microseconds.
    pub fn record(&mut self, latency_us: u64) {
        self.count = self.count.saturating_add(1);
        self.sum_us = self.sum_us.saturating_add(latency_us);
        self.min_us = self.min_us.min(latency_us);
        self.max_us = self.max_us.max(latency_us);
        if let Some(counter) = self.histogram.get_mut(bucket_index(latency_us)) {
            *counter = counter.saturating_add(1);
        }
    }

    /// Forgets everything recorded.
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// Number of recorded latencies.
    pub const fn count(&self) -> u64 {
        self.count
    }

    /// Sum of the recorded latencies in microseconds (saturating at `u64::MAX`).
    pub const fn sum_us(&self) -> u64 {
        self.sum_us
    }

    /// Smallest recorded latency, or `None` if nothing was recorded.
    pub const fn min_us(&self) -> Option<u64> {
        if self.count == 0 {
            None
        } else {
            Some(self.min_us)
        }
    }

    /// Largest recorded latency, or `None` if nothing was recorded.
    pub const fn max_us(&self) -> Option<u64> {
        if self.count == 0 {
            None
        } else {
            Some(self.max_us)
        }
    }

    /// Mean latency rounded down, or `None` if nothing was recorded.
    pub const fn mean_us(&self) -> Option<u64> {
        self.sum_us.checked_div(self.count)
    }

    /// Jitter: largest minus smallest latency, or `None` if nothing was recorded.
    pub const fn jitter_us(&self) -> Option<u64> {
        if self.count == 0 {
            None
        } else {
            Some(self.max_us.saturating_sub(self.min_us))
        }
    }

    /// Number of latencies per bucket; see [`bucket_bounds`] for each bucket's range.
    pub const fn histogram(&self) -> &[u32; HISTOGRAM_BUCKETS] {
        &self.histogram
    }

    /// Estimated latency below or at which `per_mille` thousandths of the recorded latencies
    /// lie (`990` for the 99th percentile, `500` for the median; values above 1000 count as
    /// 1000), or `None` if nothing was recorded.
    ///
    /// The estimate is the upper end of the bucket holding that rank, clamped to the recorded
    /// minimum and maximum: exact below 32 µs, at most one bucket width (12.5 %) too high up to
    /// 1023 µs, and the maximum when the rank falls in the overflow bucket. It walks the 73
    /// buckets, so call it from Python rather than from a handler.
    pub fn percentile_us(&self, per_mille: u32) -> Option<u64> {
        let total: u64 = self.histogram.iter().map(|&count| u64::from(count)).sum();
        if total == 0 {
            return None;
        }
        let per_mille = u64::from(per_mille.min(1000));
        // Rank (1-based) of the wanted sample: ceil(total * per_mille / 1000), at least 1.
        let rank = match total.checked_mul(per_mille) {
            Some(product) => product.div_ceil(1000),
            None => (total / 1000).saturating_mul(per_mille),
        }
        .max(1)
        .min(total);
        let mut cumulative: u64 = 0;
        for (index, &count) in self.histogram.iter().enumerate() {
            cumulative = cumulative.saturating_add(u64::from(count));
            if cumulative >= rank {
                let highest = match bucket_bounds(index) {
                    Some((_, highest)) => highest,
                    None => self.max_us,
                };
                return Some(highest.min(self.max_us).max(self.min_us));
            }
        }
        Some(self.max_us)
    }

    /// Estimated 99th percentile; see [`LatencyStatistics::percentile_us`].
    pub fn p99_us(&self) -> Option<u64> {
        self.percentile_us(990)
    }
}
