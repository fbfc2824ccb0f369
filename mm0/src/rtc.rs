//! The PC's real-time clock (the MC146818 CMOS clock) decoded: its
//! registers as read, to seconds since the Unix epoch.
//!
//! The clock keeps the date in BCD or binary and the hour in 12- or 24-hour
//! form, as status register B says; the year has two digits (and a century
//! register not every machine has), so years 00-99 are read as 2000-2099.
//! The clock is taken to hold UTC, as QEMU's does by default.

/// Status register B bits.
const B_24_HOUR: u8 = 0x02;
const B_BINARY: u8 = 0x04;
/// The PM flag in the hour register of a 12-hour clock.
const HOUR_PM: u8 = 0x80;

/// The clock registers as read: seconds, minutes, hours, day of month,
/// month, year (two digits), and status register B.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RtcRegisters {
    pub second: u8,
    pub minute: u8,
    pub hour: u8,
    pub day: u8,
    pub month: u8,
    pub year: u8,
    pub status_b: u8,
}

fn from_bcd(v: u8) -> u8 {
    (v >> 4) * 10 + (v & 0x0f)
}

impl RtcRegisters {
    /// Seconds since the epoch, or `None` for registers that are no date.
    pub fn unix_seconds(&self) -> Option<u64> {
        let binary = self.status_b & B_BINARY != 0;
        let decode = |v: u8| if binary { v } else { from_bcd(v) };
        let pm = self.hour & HOUR_PM != 0;
        let mut hour = decode(self.hour & !HOUR_PM);
        if self.status_b & B_24_HOUR == 0 {
            // 12-hour clock: 12 AM is 0, 12 PM is 12.
            hour = (hour % 12) + if pm { 12 } else { 0 };
        }
        let (second, minute, day, month, year) =
            (decode(self.second), decode(self.minute), decode(self.day), decode(self.month), decode(self.year));
        if second > 59
            || minute > 59
            || hour > 23
            || !(1..=31).contains(&day)
            || !(1..=12).contains(&month)
            || year > 99
        {
            return None;
        }
        let days = libtern_sys::calendar::days_from_civil(2000 + i64::from(year), u32::from(month), u32::from(day));
        let seconds = days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
        u64::try_from(seconds).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regs(second: u8, minute: u8, hour: u8, day: u8, month: u8, year: u8, status_b: u8) -> RtcRegisters {
        RtcRegisters { second, minute, hour, day, month, year, status_b }
    }

    #[test]
    fn bcd_24_hour() {
        // 2026-12-01 13:45:30 UTC.
        let r = regs(0x30, 0x45, 0x13, 0x01, 0x12, 0x26, B_24_HOUR);
        assert_eq!(r.unix_seconds(), Some(1_796_132_730));
    }

    #[test]
    fn binary_12_hour() {
        // 2000-03-01 00:00:00 (12 AM) and 12:00:00 (12 PM).
        let midnight = regs(0, 0, 12, 1, 3, 0, B_BINARY);
        assert_eq!(midnight.unix_seconds(), Some(951_868_800));
        let noon = regs(0, 0, 12 | HOUR_PM, 1, 3, 0, B_BINARY);
        assert_eq!(noon.unix_seconds(), Some(951_868_800 + 12 * 3600));
        let one_pm = regs(0, 0, 1 | HOUR_PM, 1, 3, 0, B_BINARY);
        assert_eq!(one_pm.unix_seconds(), Some(951_868_800 + 13 * 3600));
    }

    #[test]
    fn leap_days_count() {
        // 2024-02-29 and 2024-03-01, binary 24-hour.
        let feb29 = regs(0, 0, 0, 29, 2, 24, B_BINARY | B_24_HOUR).unix_seconds().unwrap();
        let mar1 = regs(0, 0, 0, 1, 3, 24, B_BINARY | B_24_HOUR).unix_seconds().unwrap();
        assert_eq!(feb29, 1_709_164_800);
        assert_eq!(mar1 - feb29, 86_400);
    }

    #[test]
    fn nonsense_is_refused() {
        assert_eq!(regs(0x60, 0, 0, 1, 1, 0, B_24_HOUR).unix_seconds(), None);
        assert_eq!(regs(0, 0, 0, 0, 1, 0, B_24_HOUR).unix_seconds(), None);
        assert_eq!(regs(0, 0, 0, 1, 13, 0, B_24_HOUR | B_BINARY).unix_seconds(), None);
    }
}
