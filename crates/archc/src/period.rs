//! Calendar periods: quarters (`2027Q1`), months (`2026M01`), ISO weeks (`2026W01`) and days
//! (`2026-01-05`). The parser reads period literals with [`Period::parse`], the checker types
//! them by their [`PeriodKind`] (a range or a comparison of two kinds is an error), the data
//! world interns them as ordered elements (consecutive periods of one kind have consecutive
//! [`Period::index`]es, so ranges, `prev`/`next` and gaps are arithmetic), and aggregation
//! (`aggregate(...)`) maps a finer period to the coarser one it belongs to
//! ([`Period::within`]).
//!
//! Weeks are ISO 8601 weeks: Monday to Sunday, week 1 holds the year's first Thursday. A week
//! belongs to the month, quarter or year of its Thursday, the ISO rule that already assigns
//! weeks to years, so a week that straddles two months counts once, in the month holding
//! four or more of its days.

use std::fmt;

/// The kinds of periods, from the coarsest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeriodKind {
    Quarter,
    Month,
    Week,
    Day,
}

impl PeriodKind {
    /// Every kind, from the coarsest.
    pub const ALL: [PeriodKind; 4] = [
        PeriodKind::Quarter,
        PeriodKind::Month,
        PeriodKind::Week,
        PeriodKind::Day,
    ];

    /// `quarter`, `month`, `week`, `day`.
    pub fn name(self) -> &'static str {
        match self {
            PeriodKind::Quarter => "quarter",
            PeriodKind::Month => "month",
            PeriodKind::Week => "week",
            PeriodKind::Day => "day",
        }
    }

    /// A literal of the kind, for messages: `2027Q1`, `2026M01`, `2026W01`, `2026-01-05`.
    pub fn example(self) -> &'static str {
        match self {
            PeriodKind::Quarter => "2027Q1",
            PeriodKind::Month => "2026M01",
            PeriodKind::Week => "2026W01",
            PeriodKind::Day => "2026-01-05",
        }
    }

    /// The periods in one year's seasonal cycle: 4 quarters, 12 months, 52 weeks, and 7 days
    /// (a day's strongest cycle is the week).
    pub fn season(self) -> usize {
        match self {
            PeriodKind::Quarter => 4,
            PeriodKind::Month => 12,
            PeriodKind::Week => 52,
            PeriodKind::Day => 7,
        }
    }

    /// Whether every period of `self` lies in exactly one period of `coarse`, and `coarse`
    /// is strictly longer. Weeks go to months and quarters by their Thursday (see the module
    /// documentation); nothing goes to weeks but days.
    pub fn aggregates_to(self, coarse: PeriodKind) -> bool {
        match coarse {
            PeriodKind::Week => self == PeriodKind::Day,
            _ => coarse < self,
        }
    }
}

/// One period: its kind and its number among the periods of that kind (consecutive periods
/// have consecutive numbers).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Period {
    pub kind: PeriodKind,
    pub index: i32,
}

/// Why a period literal is malformed: a message and a hint, for E0103.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed {
    pub label: String,
    pub help: String,
}

fn malformed(label: impl Into<String>, help: impl Into<String>) -> Malformed {
    Malformed {
        label: label.into(),
        help: help.into(),
    }
}

/// Days since 1970-01-01 of a date of the proleptic Gregorian calendar.
pub fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (year, month, day) of a day number (days since 1970-01-01).
pub fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y as i32, m, d)
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Monday = 0 .. Sunday = 6.
fn weekday(days: i64) -> i64 {
    (days + 3).rem_euclid(7)
}

/// The Monday of ISO week 1 of `year`: the week holding January 4th.
fn week_one_monday(year: i32) -> i64 {
    let jan4 = days_from_civil(year, 1, 4);
    jan4 - weekday(jan4)
}

/// The number of ISO weeks of `year` (52 or 53).
pub fn weeks_in_year(year: i32) -> u32 {
    ((week_one_monday(year + 1) - week_one_monday(year)) / 7) as u32
}

/// 1970-01-05, a Monday: week numbers count from it.
const MONDAY_ZERO: i64 = 4;

impl Period {
    pub fn new(kind: PeriodKind, index: i32) -> Period {
        Period { kind, index }
    }

    /// A quarter (`quarter` 1 to 4).
    pub fn quarter(year: i32, quarter: u32) -> Period {
        Period::new(PeriodKind::Quarter, year * 4 + quarter as i32 - 1)
    }

    /// A month (`month` 1 to 12).
    pub fn month(year: i32, month: u32) -> Period {
        Period::new(PeriodKind::Month, year * 12 + month as i32 - 1)
    }

    /// An ISO week (`week` 1 to 52 or 53).
    pub fn week(year: i32, week: u32) -> Period {
        let monday = week_one_monday(year) + 7 * (i64::from(week) - 1);
        Period::new(
            PeriodKind::Week,
            (monday - MONDAY_ZERO).div_euclid(7) as i32,
        )
    }

    /// A day.
    pub fn day(year: i32, month: u32, day: u32) -> Period {
        Period::new(PeriodKind::Day, days_from_civil(year, month, day) as i32)
    }

    /// Reads a period literal: `2027Q1`, `2026M01`, `2026W01` or `2026-01-05` (four-digit
    /// year). `None` when the text has none of these shapes; `Some(Err(..))` when it has one
    /// but names no period (`2026M13`, `2026W54`, `2026-02-30`).
    pub fn parse(text: &str) -> Option<Result<Period, Malformed>> {
        let b = text.as_bytes();
        if b.len() < 6 || !b[..4].iter().all(u8::is_ascii_digit) {
            return None;
        }
        let year: i32 = text[..4].parse().ok()?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
        let rest = &text[5..];
        match b[4] {
            b'Q' if digits(rest) => Some(if rest.len() == 1 && (b"1234").contains(&b[5]) {
                Ok(Period::quarter(year, u32::from(b[5] - b'0')))
            } else {
                Err(malformed(
                    "quarters run from Q1 to Q4",
                    format!("write quarters as `{year}Q1`..`{year}Q4`"),
                ))
            }),
            b'M' if digits(rest) => Some(match rest.parse::<u32>() {
                Ok(m) if rest.len() == 2 && (1..=12).contains(&m) => Ok(Period::month(year, m)),
                Ok(m) if rest.len() < 2 && (1..=12).contains(&m) => Err(malformed(
                    "a month has two digits",
                    format!("write `{year}M{m:02}`"),
                )),
                _ => Err(malformed(
                    "months run from M01 to M12",
                    format!("write months as `{year}M01`..`{year}M12`"),
                )),
            }),
            b'W' if digits(rest) => Some({
                let last = weeks_in_year(year);
                match rest.parse::<u32>() {
                    Ok(w) if rest.len() == 2 && (1..=last).contains(&w) => {
                        Ok(Period::week(year, w))
                    }
                    Ok(w) if rest.len() < 2 && (1..=last).contains(&w) => Err(malformed(
                        "a week has two digits",
                        format!("write `{year}W{w:02}`"),
                    )),
                    _ => Err(malformed(
                        format!("{year} has ISO weeks W01 to W{last}"),
                        format!("write weeks as `{year}W01`..`{year}W{last}` (ISO 8601 weeks)"),
                    )),
                }
            }),
            b'-' => {
                let (m, d) = rest.split_once('-')?;
                if !digits(m) || !digits(d) {
                    return None;
                }
                Some(match (m.parse::<u32>(), d.parse::<u32>()) {
                    (Ok(mo), Ok(da))
                        if m.len() == 2
                            && d.len() == 2
                            && (1..=12).contains(&mo)
                            && (1..=days_in_month(year, mo)).contains(&da) =>
                    {
                        Ok(Period::day(year, mo, da))
                    }
                    (Ok(mo), _) if m.len() == 2 && (1..=12).contains(&mo) => Err(malformed(
                        format!(
                            "{} has {} days",
                            MONTH_NAMES[mo as usize - 1],
                            days_in_month(year, mo)
                        ),
                        "write days as `YYYY-MM-DD` with a day that exists",
                    )),
                    _ => Err(malformed(
                        "not a date",
                        "write days as `YYYY-MM-DD`, months 01 to 12",
                    )),
                })
            }
            _ => None,
        }
    }

    /// The first day of the period (days since 1970-01-01).
    pub fn first_day(self) -> i64 {
        let i = i64::from(self.index);
        match self.kind {
            PeriodKind::Quarter => {
                days_from_civil(i.div_euclid(4) as i32, (i.rem_euclid(4) * 3 + 1) as u32, 1)
            }
            PeriodKind::Month => {
                days_from_civil(i.div_euclid(12) as i32, (i.rem_euclid(12) + 1) as u32, 1)
            }
            PeriodKind::Week => i * 7 + MONDAY_ZERO,
            PeriodKind::Day => i,
        }
    }

    /// The day that decides which coarser period this one belongs to: its first day, or for
    /// a week its Thursday.
    fn home_day(self) -> i64 {
        match self.kind {
            PeriodKind::Week => self.first_day() + 3,
            _ => self.first_day(),
        }
    }

    /// The period of kind `kind` holding day `days`.
    pub fn of_day(kind: PeriodKind, days: i64) -> Period {
        let (y, m, _) = civil_from_days(days);
        match kind {
            PeriodKind::Quarter => Period::quarter(y, (m - 1) / 3 + 1),
            PeriodKind::Month => Period::month(y, m),
            PeriodKind::Week => Period::new(kind, (days - MONDAY_ZERO).div_euclid(7) as i32),
            PeriodKind::Day => Period::new(kind, days as i32),
        }
    }

    /// The period of the coarser kind `coarse` this one belongs to (a week by its Thursday).
    pub fn within(self, coarse: PeriodKind) -> Period {
        Period::of_day(coarse, self.home_day())
    }

    /// The periods of kind `fine` that belong to this one, in order.
    pub fn parts(self, fine: PeriodKind) -> Vec<Period> {
        let start = Period::of_day(fine, self.first_day());
        let next = Period::new(self.kind, self.index + 1).first_day();
        let end = Period::of_day(fine, next - 1);
        (start.index - 1..=end.index + 1)
            .map(|i| Period::new(fine, i))
            .filter(|p| p.within(self.kind) == self)
            .collect()
    }
}

const MONTH_NAMES: [&str; 12] = [
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

impl Period {
    /// The ISO 8601 (or common) spelling that data exported by other tools uses for this
    /// period, which a data file may use instead of the model's literal: `2026-01` for
    /// `2026M01`, `2026-W01` for `2026W01`, `2026-Q1` for `2026Q1`. Days have one spelling.
    pub fn data_spelling(self) -> Option<String> {
        let canonical = self.to_string();
        match self.kind {
            PeriodKind::Month => Some(canonical.replacen('M', "-", 1)),
            PeriodKind::Week => Some(canonical.replacen('W', "-W", 1)),
            PeriodKind::Quarter => Some(canonical.replacen('Q', "-Q", 1)),
            PeriodKind::Day => None,
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = self.index;
        match self.kind {
            PeriodKind::Quarter => write!(f, "{}Q{}", i.div_euclid(4), i.rem_euclid(4) + 1),
            PeriodKind::Month => write!(f, "{}M{:02}", i.div_euclid(12), i.rem_euclid(12) + 1),
            PeriodKind::Week => {
                let thursday = self.first_day() + 3;
                let (y, _, _) = civil_from_days(thursday);
                let w = (self.first_day() - week_one_monday(y)) / 7 + 1;
                write!(f, "{y}W{w:02}")
            }
            PeriodKind::Day => {
                let (y, m, d) = civil_from_days(i64::from(i));
                write!(f, "{y:04}-{m:02}-{d:02}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_spellings_are_the_iso_forms() {
        let spell = |t: &str| p(t).data_spelling();
        assert_eq!(spell("2026M01").as_deref(), Some("2026-01"));
        assert_eq!(spell("2026M12").as_deref(), Some("2026-12"));
        assert_eq!(spell("2026W01").as_deref(), Some("2026-W01"));
        assert_eq!(spell("2020W53").as_deref(), Some("2020-W53"));
        assert_eq!(spell("2027Q3").as_deref(), Some("2027-Q3"));
        assert_eq!(spell("2026-01-05"), None);
    }

    fn p(text: &str) -> Period {
        match Period::parse(text) {
            Some(Ok(p)) => p,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn literals_print_as_they_are_read() {
        for text in [
            "2027Q1",
            "2027Q4",
            "2026M01",
            "2026M12",
            "2026W01",
            "2026W53",
            "2020W53",
            "2026-01-05",
            "2024-02-29",
            "1999-12-31",
            "2000-03-01",
        ] {
            assert_eq!(p(text).to_string(), text);
        }
    }

    #[test]
    fn consecutive_periods_have_consecutive_indices() {
        assert_eq!(p("2027Q1").index, p("2026Q4").index + 1);
        assert_eq!(p("2027M01").index, p("2026M12").index + 1);
        assert_eq!(p("2027W01").index, p("2026W53").index + 1);
        assert_eq!(p("2026W01").index, p("2025W52").index + 1);
        assert_eq!(p("2024-03-01").index, p("2024-02-29").index + 1);
        assert_eq!(p("2026-01-01").index, p("2025-12-31").index + 1);
    }

    #[test]
    fn malformed_literals_say_why() {
        for text in [
            "2026M13",
            "2026M00",
            "2026M1",
            "2026W54",
            "2025W53",
            "2026W00",
            "2026-02-30",
            "2025-02-29",
            "2026-13-01",
            "2027Q5",
            "2027Q0",
            "2027Q12",
        ] {
            assert!(
                matches!(Period::parse(text), Some(Err(_))),
                "{text} should be malformed"
            );
        }
        assert_eq!(Period::parse("2027"), None);
        assert_eq!(Period::parse("2027X1"), None);
    }

    #[test]
    fn iso_weeks_start_on_the_monday_of_the_week_holding_january_4th() {
        // 2026-01-01 is a Thursday: week 1 of 2026 runs from Monday 2025-12-29.
        assert_eq!(p("2026W01").first_day(), days_from_civil(2025, 12, 29));
        // 2021-01-01 is a Friday: it belongs to week 53 of 2020.
        assert_eq!(
            Period::of_day(PeriodKind::Week, p("2021-01-01").index.into()),
            p("2020W53")
        );
        assert_eq!(weeks_in_year(2026), 53);
        assert_eq!(weeks_in_year(2025), 52);
    }

    #[test]
    fn finer_periods_belong_to_one_coarser_period() {
        assert_eq!(p("2026M05").within(PeriodKind::Quarter), p("2026Q2"));
        assert_eq!(p("2026-03-31").within(PeriodKind::Quarter), p("2026Q1"));
        assert_eq!(p("2026-01-05").within(PeriodKind::Week), p("2026W02"));
        // Week 5 of 2026 runs from Monday 26 January to Sunday 1 February; its Thursday is
        // 29 January, so it is a January week.
        assert_eq!(p("2026W05").within(PeriodKind::Month), p("2026M01"));
        // Week 1 of 2026 starts in December 2025 but its Thursday is 1 January.
        assert_eq!(p("2026W01").within(PeriodKind::Month), p("2026M01"));
        assert_eq!(p("2026Q1").parts(PeriodKind::Month).len(), 3);
        assert_eq!(p("2024M02").parts(PeriodKind::Day).len(), 29);
        assert_eq!(p("2026W10").parts(PeriodKind::Day).len(), 7);
        // Every week of a year lies in exactly one of its months.
        let weeks: usize = (1..=12)
            .map(|m| Period::month(2026, m).parts(PeriodKind::Week).len())
            .sum();
        assert_eq!(weeks, 53);
        assert_eq!(
            p("2026M01").parts(PeriodKind::Week).first(),
            Some(&p("2026W01"))
        );
    }

    #[test]
    fn only_well_defined_aggregations_are_allowed() {
        use PeriodKind::*;
        assert!(Month.aggregates_to(Quarter));
        assert!(Day.aggregates_to(Week));
        assert!(Week.aggregates_to(Month));
        assert!(!Month.aggregates_to(Week));
        assert!(!Quarter.aggregates_to(Month));
        assert!(!Month.aggregates_to(Month));
    }
}
