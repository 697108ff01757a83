//! `Iso8601Duration`: the ISO-8601 durations of rotation policies (`P90D`, `P2Y`, `PT48H`).

use core::fmt;
use core::str::FromStr;

use time::{Date, Month, OffsetDateTime};

use crate::error::{Error, Result};

const DAY: u64 = 86_400;

/// A validated ISO-8601 duration of the form `PnYnMnWnDTnHnMnS` (every part optional,
/// at least one present, integers only, upper-case designators, in that order).
///
/// Rotation-policy durations (`timeAfterCreate`, `timeBeforeExpiry`, `expiryTime`) use
/// this syntax. Fractions (`PT0.5S`) and negative durations are rejected: the service
/// documents none. Weeks may be combined with other parts (ISO 8601-1:2019 allows it).
///
/// [`Display`](fmt::Display) writes the canonical form (zero parts left out, `PT0S` for
/// zero), which can differ from the text that was parsed (`P0D` displays as `PT0S`).
///
/// ```
/// use kv_protocol::Iso8601Duration;
/// let d: Iso8601Duration = "P1Y2M10DT2H30M".parse()?;
/// assert_eq!(d.months, 2);
/// assert_eq!(d.to_string(), "P1Y2M10DT2H30M");
/// assert_eq!("P90D".parse::<Iso8601Duration>()?.approx_seconds(), 90 * 86_400);
/// // 2024-01-31 + P1M = 2024-02-29 (calendar months, day clamped)
/// let jan31 = 1_706_659_200;
/// assert_eq!("P1M".parse::<Iso8601Duration>()?.checked_add_to(jan31), Some(1_709_164_800));
/// # Ok::<(), kv_protocol::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Iso8601Duration {
    /// Years (`nY`).
    pub years: u32,
    /// Months (`nM` before `T`).
    pub months: u32,
    /// Weeks (`nW`).
    pub weeks: u32,
    /// Days (`nD`).
    pub days: u32,
    /// Hours (`nH`).
    pub hours: u32,
    /// Minutes (`nM` after `T`).
    pub minutes: u32,
    /// Seconds (`nS`).
    pub seconds: u32,
}

impl Iso8601Duration {
    /// A duration of `days` days.
    pub const fn from_days(days: u32) -> Self {
        Self {
            years: 0,
            months: 0,
            weeks: 0,
            days,
            hours: 0,
            minutes: 0,
            seconds: 0,
        }
    }

    /// Whether every part is zero.
    pub fn is_zero(&self) -> bool {
        *self == Self::default()
    }

    /// The length in seconds, **approximate** when years or months are present: a year
    /// counts as 365 days and a month as 30 days.
    ///
    /// Assumption, not a documented service fact: the service documentation says only
    /// "ISO 8601 duration" and gives `P3M` as "3 months"; it does not say how long a
    /// month is. Use this for comparisons such as "at least 28 days" or "at least 7 days
    /// before expiry", where a fixed month is the conservative reading; use
    /// [`checked_add_to`](Self::checked_add_to) to compute an actual date.
    pub fn approx_seconds(&self) -> u64 {
        // Each part is at most u32::MAX; the largest factor is 365 days, so the sum
        // stays far below u64::MAX.
        u64::from(self.years) * 365 * DAY + u64::from(self.months) * 30 * DAY + self.fixed_seconds()
    }

    /// The part with a fixed length: weeks, days, hours, minutes and seconds.
    fn fixed_seconds(&self) -> u64 {
        u64::from(self.weeks) * 7 * DAY
            + u64::from(self.days) * DAY
            + u64::from(self.hours) * 3_600
            + u64::from(self.minutes) * 60
            + u64::from(self.seconds)
    }

    /// `start` (Unix seconds) plus this duration, with calendar arithmetic for years and
    /// months (like XML Schema's dateTime + duration): years and months move the
    /// calendar date, clamping the day to the end of the target month (Jan 31 + P1M is
    /// Feb 28 or 29), then weeks, days and time parts are added as fixed lengths.
    ///
    /// `None` when the result leaves the representable range (years -9999..=9999).
    pub fn checked_add_to(&self, start: i64) -> Option<i64> {
        let months = i64::from(self.years) * 12 + i64::from(self.months);
        let shifted = shift_months(start, months)?;
        shifted.checked_add(i64::try_from(self.fixed_seconds()).ok()?)
    }

    /// `end` (Unix seconds) minus this duration (the reverse of
    /// [`checked_add_to`](Self::checked_add_to): fixed parts first, then calendar months),
    /// e.g. the moment `timeBeforeExpiry` before an expiry.
    pub fn checked_sub_from(&self, end: i64) -> Option<i64> {
        let without_fixed = end.checked_sub(i64::try_from(self.fixed_seconds()).ok()?)?;
        let months = i64::from(self.years) * 12 + i64::from(self.months);
        shift_months(without_fixed, -months)
    }
}

/// Moves `unix` by `months` calendar months, keeping the time of day and clamping the day.
fn shift_months(unix: i64, months: i64) -> Option<i64> {
    if months == 0 {
        return Some(unix);
    }
    let dt = OffsetDateTime::from_unix_timestamp(unix).ok()?;
    let date = dt.date();
    let index = i64::from(date.year())
        .checked_mul(12)?
        .checked_add(i64::from(u8::from(date.month())) - 1)?
        .checked_add(months)?;
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = Month::try_from(u8::try_from(index.rem_euclid(12) + 1).ok()?).ok()?;
    let day = date.day().min(month.length(year));
    let new_date = Date::from_calendar_date(year, month, day).ok()?;
    Some(dt.replace_date(new_date).unix_timestamp())
}

impl FromStr for Iso8601Duration {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self> {
        let fail = |reason| Error::InvalidDuration {
            input: input.to_owned(),
            reason,
        };
        let rest = input
            .strip_prefix('P')
            .ok_or_else(|| fail("must start with `P`"))?;
        let mut out = Self::default();
        let mut in_time = false;
        let mut time_parts = 0;
        let mut parts = 0;
        // Index of the last designator seen, to enforce the order Y M W D T H M S.
        let mut last = None::<usize>;
        let mut number: Option<u32> = None;
        for c in rest.chars() {
            if let Some(digit) = c.to_digit(10) {
                let n = number.unwrap_or(0);
                number = Some(
                    n.checked_mul(10)
                        .and_then(|n| n.checked_add(digit))
                        .ok_or_else(|| fail("number too large"))?,
                );
                continue;
            }
            if c == 'T' {
                if in_time || number.is_some() {
                    return Err(fail("misplaced `T`"));
                }
                in_time = true;
                continue;
            }
            let value = number
                .take()
                .ok_or_else(|| fail("designator without a number"))?;
            let (slot, field) = match (in_time, c) {
                (false, 'Y') => (0, &mut out.years),
                (false, 'M') => (1, &mut out.months),
                (false, 'W') => (2, &mut out.weeks),
                (false, 'D') => (3, &mut out.days),
                (true, 'H') => (4, &mut out.hours),
                (true, 'M') => (5, &mut out.minutes),
                (true, 'S') => (6, &mut out.seconds),
                (_, '.' | ',') => return Err(fail("fractions are not supported")),
                _ => return Err(fail("unexpected character")),
            };
            if last.is_some_and(|l| l >= slot) {
                return Err(fail("parts out of order or repeated"));
            }
            last = Some(slot);
            *field = value;
            parts += 1;
            if in_time {
                time_parts += 1;
            }
        }
        if number.is_some() {
            return Err(fail("number without a designator"));
        }
        if in_time && time_parts == 0 {
            return Err(fail("`T` without a time part"));
        }
        if parts == 0 {
            return Err(fail("no duration parts"));
        }
        Ok(out)
    }
}

impl fmt::Display for Iso8601Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_zero() {
            return f.write_str("PT0S");
        }
        f.write_str("P")?;
        for (n, d) in [
            (self.years, 'Y'),
            (self.months, 'M'),
            (self.weeks, 'W'),
            (self.days, 'D'),
        ] {
            if n != 0 {
                write!(f, "{n}{d}")?;
            }
        }
        if self.hours != 0 || self.minutes != 0 || self.seconds != 0 {
            f.write_str("T")?;
            for (n, d) in [(self.hours, 'H'), (self.minutes, 'M'), (self.seconds, 'S')] {
                if n != 0 {
                    write!(f, "{n}{d}")?;
                }
            }
        }
        Ok(())
    }
}

impl serde::Serialize for Iso8601Duration {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> core::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Iso8601Duration {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> core::result::Result<Self, D::Error> {
        let s = <String as serde::Deserialize>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Iso8601Duration {
        s.parse().unwrap()
    }

    #[test]
    fn parses_service_examples() {
        assert_eq!(d("P90D"), Iso8601Duration::from_days(90));
        assert_eq!(d("P2Y").years, 2);
        assert_eq!(d("P3M").months, 3);
        assert_eq!(d("PT48H").hours, 48);
        assert_eq!(d("P1W").weeks, 1);
        let full = d("P1Y2M3W4DT5H6M7S");
        assert_eq!(
            (
                full.years,
                full.months,
                full.weeks,
                full.days,
                full.hours,
                full.minutes,
                full.seconds
            ),
            (1, 2, 3, 4, 5, 6, 7)
        );
        assert_eq!(d("P1Y10D").to_string(), "P1Y10D");
        assert_eq!(d("PT0S").to_string(), "PT0S");
        assert_eq!(d("P0D").to_string(), "PT0S");
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "P",
            "PT",
            "90D",
            "p90d",
            "P90",
            "PD",
            "P1DT",
            "P1H",
            "PT1D",
            "P1D2Y",
            "P1M1M",
            "P1DT2H3H",
            "PT1.5S",
            "P-1D",
            "P1 D",
            "P99999999999D",
            "P1DTT1H",
            "PT1HT",
        ] {
            assert!(bad.parse::<Iso8601Duration>().is_err(), "{bad:?} accepted");
        }
        let err = "P1.5D".parse::<Iso8601Duration>().unwrap_err();
        assert!(err.to_string().contains("P1.5D"));
    }

    #[test]
    fn approximate_seconds() {
        assert_eq!(d("P28D").approx_seconds(), 28 * DAY);
        assert_eq!(d("P1M").approx_seconds(), 30 * DAY);
        assert_eq!(d("P1Y").approx_seconds(), 365 * DAY);
        assert_eq!(d("P1WT1H1M1S").approx_seconds(), 7 * DAY + 3661);
        let max = Iso8601Duration {
            years: u32::MAX,
            months: u32::MAX,
            weeks: u32::MAX,
            days: u32::MAX,
            hours: u32::MAX,
            minutes: u32::MAX,
            seconds: u32::MAX,
        };
        assert!(max.approx_seconds() > 0);
        assert_eq!(max.checked_add_to(0), None);
    }

    #[test]
    fn calendar_arithmetic() {
        // 2023-01-31T12:00:00Z
        let jan31_2023 = 1_675_166_400;
        // + P1M = 2023-02-28T12:00:00Z (not a leap year)
        assert_eq!(d("P1M").checked_add_to(jan31_2023), Some(1_677_585_600));
        // + P1Y = 2024-01-31T12:00:00Z
        assert_eq!(d("P1Y").checked_add_to(jan31_2023), Some(1_706_702_400));
        // - P2M from 2023-01-31 = 2022-11-30T12:00:00Z
        assert_eq!(d("P2M").checked_sub_from(jan31_2023), Some(1_669_809_600));
        // Fixed parts.
        assert_eq!(d("P1DT1H").checked_add_to(0), Some(90_000));
        assert_eq!(d("P30D").checked_sub_from(30 * 86_400), Some(0));
        assert_eq!(d("P1D").checked_add_to(i64::MAX), None);
    }

    #[test]
    fn serde_as_string() {
        let v: Iso8601Duration = serde_json::from_str("\"P90D\"").unwrap();
        assert_eq!(serde_json::to_string(&v).unwrap(), "\"P90D\"");
        assert!(serde_json::from_str::<Iso8601Duration>("\"90 days\"").is_err());
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(
            years in 0u32..50, months in 0u32..50, weeks in 0u32..50, days in 0u32..400,
            hours in 0u32..100, minutes in 0u32..100, seconds in 0u32..100,
        ) {
            let v = Iso8601Duration { years, months, weeks, days, hours, minutes, seconds };
            let back: Iso8601Duration = v.to_string().parse().unwrap();
            prop_assert_eq!(back, v);
        }

        #[test]
        fn fixed_durations_add_and_subtract_back(
            start in -1_000_000_000i64..4_000_000_000, days in 0u32..5000, seconds in 0u32..100_000,
        ) {
            let v = Iso8601Duration { days, seconds, ..Default::default() };
            let end = v.checked_add_to(start).unwrap();
            prop_assert_eq!(end - start, i64::try_from(v.approx_seconds()).unwrap());
            prop_assert_eq!(v.checked_sub_from(end), Some(start));
        }

        #[test]
        fn never_panics_on_garbage(s in "\\PC{0,20}") {
            let _ = s.parse::<Iso8601Duration>();
        }
    }
}
