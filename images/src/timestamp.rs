//! `SOURCE_DATE_EPOCH` handling: parsing, conversion to FAT dates, and a fixed fatfs clock.

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

use fatfs::{Date, DateTime, Time, TimeProvider};
use time::OffsetDateTime;

use crate::Error;

/// Latest `SOURCE_DATE_EPOCH` a FAT timestamp can hold: 4354819199 = 2107-12-31 23:59:59 UTC.
pub const MAX_SOURCE_DATE_EPOCH: u64 = 4_354_819_199;

/// First year a FAT date can hold.
const FAT_FIRST_YEAR: i32 = 1980;

/// Parses a `SOURCE_DATE_EPOCH` value: decimal seconds since 1970-01-01 UTC, at most
/// [`MAX_SOURCE_DATE_EPOCH`]. Surrounding whitespace is ignored.
pub fn parse_source_date_epoch(text: &str) -> Result<u64, Error> {
    let bad = |reason| Error::BadSourceDateEpoch {
        value: text.to_string(),
        reason,
    };
    let digits = text.trim();
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(bad(
            "it must be a whole number of seconds since 1970-01-01 UTC",
        ));
    }
    let seconds: u64 = digits.parse().map_err(|_| bad("the number is too large"))?;
    check_source_date_epoch(seconds)?;
    Ok(seconds)
}

/// Rejects epochs past the last date a FAT timestamp can hold.
pub(crate) fn check_source_date_epoch(seconds: u64) -> Result<(), Error> {
    if seconds > MAX_SOURCE_DATE_EPOCH {
        return Err(Error::BadSourceDateEpoch {
            value: seconds.to_string(),
            reason: "it lies after 2107-12-31 23:59:59 UTC, the last time FAT can store",
        });
    }
    Ok(())
}

/// The FAT date and time of `seconds` since the Unix epoch (UTC); dates before
/// 1980-01-01 are clamped to 1980-01-01 00:00:00.
pub(crate) fn fat_date_time(seconds: u64) -> Result<DateTime, Error> {
    check_source_date_epoch(seconds)?;
    let moment = i64::try_from(seconds)
        .ok()
        .and_then(|seconds| OffsetDateTime::from_unix_timestamp(seconds).ok())
        .ok_or_else(|| Error::Internal(format!("epoch {seconds} is out of range")))?;
    if moment.year() < FAT_FIRST_YEAR {
        return Ok(DateTime {
            date: Date {
                year: FAT_FIRST_YEAR as u16,
                month: 1,
                day: 1,
            },
            time: Time {
                hour: 0,
                min: 0,
                sec: 0,
                millis: 0,
            },
        });
    }
    Ok(DateTime {
        date: Date {
            year: moment.year() as u16,
            month: u8::from(moment.month()).into(),
            day: moment.day().into(),
        },
        time: Time {
            hour: moment.hour().into(),
            min: moment.minute().into(),
            sec: moment.second().into(),
            millis: 0,
        },
    })
}

/// A fatfs clock that always answers the same moment.
#[derive(Debug)]
pub(crate) struct FixedClock {
    /// The moment every timestamp gets.
    date_time: DateTime,
}

impl TimeProvider for FixedClock {
    fn get_current_date(&self) -> Date {
        self.date_time.date
    }

    fn get_current_date_time(&self) -> DateTime {
        self.date_time
    }
}

/// The fixed clock for `seconds` since the Unix epoch.
///
/// fatfs wants a `&'static` clock; one clock per distinct epoch is kept for the
/// life of the process (a build uses one), so repeated composes allocate nothing new.
pub(crate) fn fixed_clock(seconds: u64) -> Result<&'static FixedClock, Error> {
    static CLOCKS: OnceLock<Mutex<BTreeMap<u64, &'static FixedClock>>> = OnceLock::new();
    let date_time = fat_date_time(seconds)?;
    let mut clocks = CLOCKS
        .get_or_init(|| Mutex::new(BTreeMap::new()))
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    Ok(*clocks
        .entry(seconds)
        .or_insert_with(|| Box::leak(Box::new(FixedClock { date_time }))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(date_time: DateTime) -> (u16, u16, u16, u16, u16, u16) {
        (
            date_time.date.year,
            date_time.date.month,
            date_time.date.day,
            date_time.time.hour,
            date_time.time.min,
            date_time.time.sec,
        )
    }

    #[test]
    fn converts_epochs() {
        assert_eq!(
            parts(fat_date_time(315_532_800).unwrap()),
            (1980, 1, 1, 0, 0, 0)
        );
        assert_eq!(
            parts(fat_date_time(1_700_000_000).unwrap()),
            (2023, 11, 14, 22, 13, 20)
        );
        assert_eq!(
            parts(fat_date_time(MAX_SOURCE_DATE_EPOCH).unwrap()),
            (2107, 12, 31, 23, 59, 59)
        );
    }

    #[test]
    fn clamps_before_1980() {
        assert_eq!(parts(fat_date_time(0).unwrap()), (1980, 1, 1, 0, 0, 0));
        assert_eq!(
            parts(fat_date_time(315_532_799).unwrap()),
            (1980, 1, 1, 0, 0, 0)
        );
    }

    #[test]
    fn parses_and_rejects() {
        assert_eq!(
            parse_source_date_epoch(" 1700000000\n").unwrap(),
            1_700_000_000
        );
        for bad in [
            "",
            "abc",
            "-1",
            "1.5",
            "99999999999999999999999",
            "4354819200",
        ] {
            let error = parse_source_date_epoch(bad).unwrap_err();
            assert!(
                matches!(error, Error::BadSourceDateEpoch { .. }),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn clocks_are_shared() {
        let first = fixed_clock(1_000_000_000).unwrap();
        let second = fixed_clock(1_000_000_000).unwrap();
        assert!(std::ptr::eq(first, second));
        assert_eq!(first.get_current_date().year, 2001);
    }
}
