//! date: print the date and time. Always UTC: Tern has no time zone
//! database. The calendar arithmetic here also serves ls and stat.

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::common::{FAILURE, SUCCESS, Tool, stdout};

const TOOL: Tool = Tool {
    name: "date",
    usage: "Usage: date [-u] [-d @SECONDS] [+FORMAT]
Print the date and time (UTC), by default like 'Tue Dec  1 03:04:05 UTC 2026'.

  -u           UTC (the only time zone there is)
  -d @SECONDS  show that many seconds since 1970-01-01 instead of now

FORMAT: %Y year  %m month  %d day  %e day, space-padded  %H hour  %M minute
  %S second  %N nanoseconds  %s seconds since 1970  %a %A weekday  %b %B month
  %j day of year  %u weekday 1-7  %w weekday 0-6  %y year of century
  %I hour 01-12  %p AM/PM  %T %H:%M:%S  %R %H:%M  %F %Y-%m-%d  %D %m/%d/%y
  %Z UTC  %z +0000  %n newline  %t tab  %% a percent sign
",
    usage_status: FAILURE,
};

const DEFAULT_FORMAT: &str = "%a %b %e %H:%M:%S %Z %Y";
const WEEKDAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A point in time broken down in the proleptic Gregorian calendar, UTC.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DateTime {
    /// Seconds since 1970-01-01 00:00:00 UTC.
    pub timestamp: i64,
    pub nanos: u32,
    pub year: i64,
    /// 1 to 12.
    pub month: u32,
    /// 1 to 31.
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// 0 (Sunday) to 6.
    pub weekday: u32,
    /// 1 to 366.
    pub day_of_year: u32,
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

impl DateTime {
    pub fn from_timestamp(timestamp: i64, nanos: u32) -> DateTime {
        let days = timestamp.div_euclid(86_400);
        let second_of_day = timestamp.rem_euclid(86_400) as u32;
        // Days to year/month/day: Howard Hinnant's civil_from_days, which
        // counts from a March 1st so that the leap day ends the year.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z.rem_euclid(146_097);
        let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_march_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let march_month = (5 * day_of_march_year + 2) / 153;
        let day = (day_of_march_year - (153 * march_month + 2) / 5 + 1) as u32;
        let month = if march_month < 10 { march_month + 3 } else { march_month - 9 } as u32;
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        const DAYS_BEFORE_MONTH: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
        let leap_day = u32::from(month > 2 && is_leap(year));
        DateTime {
            timestamp,
            nanos,
            year,
            month,
            day,
            hour: second_of_day / 3600,
            minute: second_of_day / 60 % 60,
            second: second_of_day % 60,
            // 1970-01-01 was a Thursday.
            weekday: (days + 4).rem_euclid(7) as u32,
            day_of_year: DAYS_BEFORE_MONTH[month as usize - 1] + leap_day + day,
        }
    }

    pub fn from_system_time(time: SystemTime) -> DateTime {
        match time.duration_since(UNIX_EPOCH) {
            Ok(since) => DateTime::from_timestamp(since.as_secs() as i64, since.subsec_nanos()),
            Err(before) => {
                let before = before.duration();
                let (secs, nanos) = (before.as_secs() as i64, before.subsec_nanos());
                if nanos == 0 {
                    DateTime::from_timestamp(-secs, 0)
                } else {
                    DateTime::from_timestamp(-secs - 1, 1_000_000_000 - nanos)
                }
            }
        }
    }

    /// Formats like strftime, for the conversions listed in the help;
    /// any other `%x` is copied as it is, as GNU date does.
    pub fn format(&self, format: &str) -> String {
        let mut out = String::new();
        let mut chars = format.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            let Some(conversion) = chars.next() else {
                out.push('%');
                break;
            };
            let weekday = WEEKDAYS[self.weekday as usize];
            let month = MONTHS[self.month as usize - 1];
            let hour12 = match self.hour % 12 {
                0 => 12,
                hour => hour,
            };
            let piece = match conversion {
                'Y' => self.year.to_string(),
                'C' => format!("{:02}", self.year.div_euclid(100)),
                'y' => format!("{:02}", self.year.rem_euclid(100)),
                'm' => format!("{:02}", self.month),
                'd' => format!("{:02}", self.day),
                'e' => format!("{:2}", self.day),
                'H' => format!("{:02}", self.hour),
                'I' => format!("{hour12:02}"),
                'M' => format!("{:02}", self.minute),
                'S' => format!("{:02}", self.second),
                'N' => format!("{:09}", self.nanos),
                'p' => (if self.hour < 12 { "AM" } else { "PM" }).to_string(),
                's' => self.timestamp.to_string(),
                'a' => weekday[..3].to_string(),
                'A' => weekday.to_string(),
                'b' | 'h' => month[..3].to_string(),
                'B' => month.to_string(),
                'j' => format!("{:03}", self.day_of_year),
                'u' => (if self.weekday == 0 { 7 } else { self.weekday }).to_string(),
                'w' => self.weekday.to_string(),
                'T' => self.format("%H:%M:%S"),
                'R' => self.format("%H:%M"),
                'F' => self.format("%Y-%m-%d"),
                'D' => self.format("%m/%d/%y"),
                'Z' => "UTC".to_string(),
                'z' => "+0000".to_string(),
                'n' => "\n".to_string(),
                't' => "\t".to_string(),
                '%' => "%".to_string(),
                other => format!("%{other}"),
            };
            out.push_str(&piece);
        }
        out
    }
}

pub fn run(args: &[String]) -> i32 {
    let opts = match TOOL.parse(args, "ud:") {
        Ok(opts) => opts,
        Err(status) => return status,
    };
    let when = match opts.value('d') {
        None => DateTime::from_system_time(SystemTime::now()),
        Some(text) => match text.strip_prefix('@').and_then(|secs| secs.parse().ok()) {
            Some(secs) => DateTime::from_timestamp(secs, 0),
            None => {
                TOOL.fail(format_args!("invalid date '{text}' (only @SECONDS is understood)"));
                return FAILURE;
            }
        },
    };
    let format = match opts.operands.as_slice() {
        [] => DEFAULT_FORMAT,
        [operand] => match operand.strip_prefix('+') {
            Some(format) => format,
            None => {
                return TOOL.usage_error(format_args!("invalid date '{operand}' (setting the clock is not supported)"));
            }
        },
        [_, extra, ..] => return TOOL.usage_error(format_args!("extra operand '{extra}'")),
    };
    let mut out = stdout();
    match writeln!(out, "{}", when.format(format)).and_then(|()| out.flush()) {
        Ok(()) => SUCCESS,
        Err(err) => TOOL.write_error(&err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch() {
        let t = DateTime::from_timestamp(0, 0);
        assert_eq!((t.year, t.month, t.day, t.weekday, t.day_of_year), (1970, 1, 1, 4, 1));
        assert_eq!(t.format(DEFAULT_FORMAT), "Thu Jan  1 00:00:00 UTC 1970");
    }

    #[test]
    fn default_format_pads_the_day_with_a_space() {
        // 2026-12-01 03:04:05 UTC
        let t = DateTime::from_timestamp(1_796_094_245, 0);
        assert_eq!(t.format(DEFAULT_FORMAT), "Tue Dec  1 03:04:05 UTC 2026");
    }

    #[test]
    fn conversions() {
        // 2024-02-29 13:05:09 UTC, a leap day.
        let t = DateTime::from_timestamp(1_709_211_909, 42);
        assert_eq!(t.format("%Y-%m-%d %H:%M:%S"), "2024-02-29 13:05:09");
        assert_eq!(t.format("%F %T %s"), "2024-02-29 13:05:09 1709211909");
        assert_eq!(t.format("%a %A %b %B %e %j"), "Thu Thursday Feb February 29 060");
        assert_eq!(t.format("%D %R %y %I%p %u %w %N"), "02/29/24 13:05 24 01PM 4 4 000000042");
        assert_eq!(t.format("100%% %Z%z %q"), "100% UTC+0000 %q");
        assert_eq!(t.format("%n%t"), "\n\t");
        assert_eq!(t.format("trailing %"), "trailing %");
    }

    #[test]
    fn end_of_a_leap_year_and_before_1970() {
        let t = DateTime::from_timestamp(1_735_689_599, 0); // 2024-12-31 23:59:59
        assert_eq!(t.format("%F %T %j"), "2024-12-31 23:59:59 366");
        let t = DateTime::from_timestamp(-1, 0);
        assert_eq!(t.format("%F %T %a"), "1969-12-31 23:59:59 Wed");
        let t = DateTime::from_timestamp(951_782_400, 0); // 2000 is a leap year
        assert_eq!(t.format("%F %j"), "2000-02-29 060");
    }
}
