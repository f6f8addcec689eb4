//! The schedule of a hall: how long a showtime occupies it, which proposed showtimes clash,
//! and the start instants of a repeating schedule ("14:00 and 21:00, Monday to Friday, from
//! ... to ...") in the venue's time zone.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use std::collections::HashSet;

/// How long a hall is busy around a film: adverts before it, cleaning after it. Each venue
/// sets its own; these are the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Turnover {
    pub ads_minutes: u32,
    pub cleaning_minutes: u32,
}

impl Default for Turnover {
    fn default() -> Self {
        Turnover {
            ads_minutes: 20,
            cleaning_minutes: 15,
        }
    }
}

impl Turnover {
    /// When the hall is free again after a showtime of an event this long starting then.
    pub fn end_of(&self, starts_at: DateTime<Utc>, runtime_minutes: u32) -> DateTime<Utc> {
        let minutes = i64::from(self.ads_minutes)
            + i64::from(runtime_minutes)
            + i64::from(self.cleaning_minutes);
        starts_at + Duration::minutes(minutes)
    }

    /// The time a showtime occupies its hall: `[start, start + ads + runtime + cleaning)`.
    pub fn slot(&self, starts_at: DateTime<Utc>, runtime_minutes: u32) -> Slot {
        Slot {
            starts_at,
            ends_at: self.end_of(starts_at, runtime_minutes),
        }
    }
}

/// The half-open interval `[starts_at, ends_at)` a showtime occupies its hall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl Slot {
    /// Whether two slots share an instant; one ending exactly when the other starts does not.
    pub fn overlaps(&self, other: &Slot) -> bool {
        self.starts_at < other.ends_at && other.starts_at < self.ends_at
    }
}

/// What a proposed slot clashes with, by index into the slices given to `clashes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClashWith {
    /// A showtime already in the hall.
    Existing(usize),
    /// Another slot of the same request (always a later one).
    Proposed(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clash {
    /// Index into `proposed`.
    pub proposed: usize,
    pub with: ClashWith,
}

/// Every clash of the proposed slots of one hall, with the hall's showtimes and among
/// themselves (each pair of proposed slots once), in the order of `proposed`.
pub fn clashes(proposed: &[Slot], existing: &[Slot]) -> Vec<Clash> {
    let mut found = Vec::new();
    for (index, slot) in proposed.iter().enumerate() {
        found.extend(
            existing
                .iter()
                .enumerate()
                .filter(|(_, other)| slot.overlaps(other))
                .map(|(other, _)| Clash {
                    proposed: index,
                    with: ClashWith::Existing(other),
                }),
        );
        found.extend(
            proposed
                .iter()
                .enumerate()
                .skip(index + 1)
                .filter(|(_, other)| slot.overlaps(other))
                .map(|(other, _)| Clash {
                    proposed: index,
                    with: ClashWith::Proposed(other),
                }),
        );
    }
    found
}

/// A request schedules at most this many days...
pub const MAX_SCHEDULE_DAYS: i64 = 92;
/// ...and at most this many showtimes.
pub const MAX_SCHEDULED_SHOWTIMES: usize = 1000;

/// "At these times, on these weekdays, from this date to that one (inclusive)", in the
/// venue's wall-clock time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleRequest {
    pub times: Vec<NaiveTime>,
    pub weekdays: Vec<Weekday>,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("give at least one start time")]
    NoTimes,
    #[error("give at least one weekday")]
    NoWeekdays,
    #[error("{0} is given twice")]
    DuplicateTime(NaiveTime),
    #[error("{0} is given twice")]
    DuplicateWeekday(Weekday),
    #[error("the schedule ends ({to}) before it starts ({from})")]
    Backwards { from: NaiveDate, to: NaiveDate },
    #[error("a schedule covers at most {MAX_SCHEDULE_DAYS} days")]
    TooManyDays,
    #[error("a schedule makes at most {MAX_SCHEDULED_SHOWTIMES} showtimes; this one makes {0}")]
    TooManyShowtimes(usize),
    #[error("{0} {1} does not exist in the venue's time zone (the clocks go forward then)")]
    NoSuchLocalTime(NaiveDate, NaiveTime),
    #[error("{0} is not a Monday: a week is given by its Monday")]
    NotAMonday(NaiveDate),
    #[error("{0} is not in the week of {1}")]
    OutsideWeek(NaiveDateTime, NaiveDate),
}

impl ScheduleRequest {
    /// The start instants, day by day and by time within a day. A wall-clock time the clocks
    /// skip (a DST gap) is refused rather than moved, so nothing starts at an hour nobody
    /// asked for; one that happens twice (a DST fold) is the earlier instant.
    pub fn expand(&self, zone: Tz) -> Result<Vec<DateTime<Utc>>, ScheduleError> {
        if self.times.is_empty() {
            return Err(ScheduleError::NoTimes);
        }
        if self.weekdays.is_empty() {
            return Err(ScheduleError::NoWeekdays);
        }
        let mut seen = HashSet::new();
        if let Some(dup) = self.times.iter().find(|t| !seen.insert(**t)) {
            return Err(ScheduleError::DuplicateTime(*dup));
        }
        let mut seen = HashSet::new();
        if let Some(dup) = self.weekdays.iter().find(|d| !seen.insert(**d)) {
            return Err(ScheduleError::DuplicateWeekday(*dup));
        }
        if self.from > self.to {
            return Err(ScheduleError::Backwards {
                from: self.from,
                to: self.to,
            });
        }
        if (self.to - self.from).num_days() + 1 > MAX_SCHEDULE_DAYS {
            return Err(ScheduleError::TooManyDays);
        }
        let days: Vec<NaiveDate> = self
            .from
            .iter_days()
            .take_while(|day| *day <= self.to)
            .filter(|day| self.weekdays.contains(&day.weekday()))
            .collect();
        let count = days.len() * self.times.len();
        if count > MAX_SCHEDULED_SHOWTIMES {
            return Err(ScheduleError::TooManyShowtimes(count));
        }
        let mut times = self.times.clone();
        times.sort();
        days.iter()
            .flat_map(|day| times.iter().map(|time| day.and_time(*time)))
            .map(|local| local_instant(zone, local))
            .collect()
    }
}

/// The instant a wall-clock time of `zone` names: an error in a DST gap, the earlier of two
/// in a DST fold.
pub fn local_instant(zone: Tz, local: NaiveDateTime) -> Result<DateTime<Utc>, ScheduleError> {
    local
        .and_local_timezone(zone)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or(ScheduleError::NoSuchLocalTime(local.date(), local.time()))
}

/// The week's showtimes again in another week: the same weekday and wall-clock time, so a
/// 20:00 showtime stays at 20:00 across a change of the clocks (adding 168 hours would not).
/// `local_starts` are the venue's local start times of the week whose Monday is `from_week`.
pub fn copy_week(
    zone: Tz,
    local_starts: &[NaiveDateTime],
    from_week: NaiveDate,
    to_week: NaiveDate,
) -> Result<Vec<DateTime<Utc>>, ScheduleError> {
    for monday in [from_week, to_week] {
        if monday.weekday() != Weekday::Mon {
            return Err(ScheduleError::NotAMonday(monday));
        }
    }
    let shift = to_week - from_week;
    local_starts
        .iter()
        .map(|start| {
            let day = (start.date() - from_week).num_days();
            if !(0..7).contains(&day) {
                return Err(ScheduleError::OutsideWeek(*start, from_week));
            }
            local_instant(zone, *start + shift)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Europe::London;

    fn utc(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, hour, minute, 0)
            .unwrap()
    }

    fn time(hour: u32, minute: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(hour, minute, 0).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_showtime_occupies_its_hall_for_ads_runtime_and_cleaning() {
        let slot = Turnover::default().slot(utc(7, 14, 0), 100);
        assert_eq!(slot.ends_at, utc(7, 16, 15));
        let short = Turnover {
            ads_minutes: 0,
            cleaning_minutes: 10,
        };
        assert_eq!(short.end_of(utc(7, 14, 0), 100), utc(7, 15, 50));
    }

    #[test]
    fn a_showtime_clashes_until_the_previous_one_is_cleaned() {
        // 14:00 + 20 ads + 100 film + 15 cleaning: the hall is free at 16:15.
        let turnover = Turnover::default();
        let existing = [turnover.slot(utc(7, 14, 0), 100)];
        let one_minute_early = [turnover.slot(utc(7, 16, 14), 90)];
        assert_eq!(
            clashes(&one_minute_early, &existing),
            [Clash {
                proposed: 0,
                with: ClashWith::Existing(0)
            }]
        );
        let on_time = [turnover.slot(utc(7, 16, 15), 90)];
        assert_eq!(clashes(&on_time, &existing), []);
        // Ending exactly when the existing one starts does not clash either.
        let before = [turnover.slot(utc(7, 11, 45), 100)];
        assert_eq!(clashes(&before, &existing), []);
        let one_minute_late = [turnover.slot(utc(7, 11, 46), 100)];
        assert_eq!(clashes(&one_minute_late, &existing).len(), 1);
    }

    #[test]
    fn slots_of_one_request_clash_with_each_other_and_each_clash_is_reported() {
        let turnover = Turnover::default();
        let existing = [turnover.slot(utc(7, 20, 0), 100)];
        let proposed = [
            turnover.slot(utc(7, 14, 0), 100),
            turnover.slot(utc(7, 16, 0), 100), // clashes with 14:00 (free at 16:15)
            turnover.slot(utc(7, 19, 0), 100), // after 16:00's (18:15), into the 20:00
            turnover.slot(utc(8, 14, 0), 100),
        ];
        assert_eq!(
            clashes(&proposed, &existing),
            [
                Clash {
                    proposed: 0,
                    with: ClashWith::Proposed(1)
                },
                Clash {
                    proposed: 2,
                    with: ClashWith::Existing(0)
                },
            ]
        );
    }

    fn request(
        times: &[NaiveTime],
        weekdays: &[Weekday],
        from: NaiveDate,
        to: NaiveDate,
    ) -> ScheduleRequest {
        ScheduleRequest {
            times: times.to_vec(),
            weekdays: weekdays.to_vec(),
            from,
            to,
        }
    }

    #[test]
    fn a_schedule_expands_to_each_chosen_weekday_and_time_in_local_time() {
        // Monday 7 to Sunday 13 December 2026, weekends only, London is on GMT.
        let starts = request(
            &[time(21, 0), time(14, 0)],
            &[Weekday::Sat, Weekday::Sun],
            date(2026, 12, 7),
            date(2026, 12, 13),
        )
        .expand(London)
        .unwrap();
        assert_eq!(
            starts,
            [
                utc(12, 14, 0),
                utc(12, 21, 0),
                utc(13, 14, 0),
                utc(13, 21, 0)
            ]
        );
        // In summer London is an hour ahead of UTC.
        let summer = request(
            &[time(14, 0)],
            &[Weekday::Wed],
            date(2026, 7, 1),
            date(2026, 7, 1),
        )
        .expand(London)
        .unwrap();
        assert_eq!(
            summer,
            [Utc.with_ymd_and_hms(2026, 7, 1, 13, 0, 0).unwrap()]
        );
    }

    #[test]
    fn a_local_time_the_clocks_skip_is_refused_and_a_repeated_one_is_the_earlier() {
        // London: 01:00 to 02:00 does not exist on 29 March 2026 and happens twice on
        // 25 October 2026.
        let gap = request(
            &[time(1, 30)],
            &[Weekday::Sun],
            date(2026, 3, 22),
            date(2026, 3, 29),
        )
        .expand(London);
        assert_eq!(
            gap,
            Err(ScheduleError::NoSuchLocalTime(
                date(2026, 3, 29),
                time(1, 30)
            ))
        );
        let fold = request(
            &[time(1, 30)],
            &[Weekday::Sun],
            date(2026, 10, 25),
            date(2026, 10, 25),
        )
        .expand(London)
        .unwrap();
        assert_eq!(
            fold,
            [Utc.with_ymd_and_hms(2026, 10, 25, 0, 30, 0).unwrap()]
        );
    }

    #[test]
    fn a_schedule_request_is_bounded() {
        let d = date(2026, 12, 7);
        let all = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ];
        let cases = [
            (request(&[], &all, d, d), ScheduleError::NoTimes),
            (
                request(&[time(14, 0)], &[], d, d),
                ScheduleError::NoWeekdays,
            ),
            (
                request(&[time(14, 0), time(14, 0)], &all, d, d),
                ScheduleError::DuplicateTime(time(14, 0)),
            ),
            (
                request(&[time(14, 0)], &[Weekday::Mon, Weekday::Mon], d, d),
                ScheduleError::DuplicateWeekday(Weekday::Mon),
            ),
            (
                request(&[time(14, 0)], &all, d, d - Duration::days(1)),
                ScheduleError::Backwards {
                    from: d,
                    to: d - Duration::days(1),
                },
            ),
            (
                request(&[time(14, 0)], &all, d, d + Duration::days(92)),
                ScheduleError::TooManyDays,
            ),
            (
                request(
                    &(0..11).map(|h| time(h, 0)).collect::<Vec<_>>(),
                    &all,
                    d,
                    d + Duration::days(91),
                ),
                ScheduleError::TooManyShowtimes(1012),
            ),
        ];
        for (request, expected) in cases {
            assert_eq!(request.expand(London), Err(expected));
        }
        let longest = request(&[time(14, 0)], &all, d, d + Duration::days(91));
        assert_eq!(longest.expand(London).map(|s| s.len()), Ok(92));
    }

    #[test]
    fn copying_a_week_keeps_the_wall_clock_time_across_a_change_of_the_clocks() {
        // The week of Monday 19 October 2026 is on BST; the next week is on GMT.
        let from_week = date(2026, 10, 19);
        let to_week = date(2026, 10, 26);
        let starts = [
            date(2026, 10, 19).and_time(time(20, 0)),
            date(2026, 10, 25).and_time(time(14, 0)),
        ];
        let copied = copy_week(London, &starts, from_week, to_week).unwrap();
        assert_eq!(
            copied,
            [
                Utc.with_ymd_and_hms(2026, 10, 26, 20, 0, 0).unwrap(),
                Utc.with_ymd_and_hms(2026, 11, 1, 14, 0, 0).unwrap(),
            ]
        );
        assert_eq!(
            copy_week(London, &starts, date(2026, 10, 20), to_week),
            Err(ScheduleError::NotAMonday(date(2026, 10, 20)))
        );
        let next_monday = date(2026, 10, 26).and_time(time(9, 0));
        assert_eq!(
            copy_week(London, &[next_monday], from_week, to_week),
            Err(ScheduleError::OutsideWeek(next_monday, from_week))
        );
    }
}
