//! What is on: cities, venues, auditoriums, events and their showtimes.

use crate::ids::*;
use crate::layout::{SeatCategory, SeatLayout};
use crate::money::{Currency, Money};
use crate::price_plan::{MissingPrices, ShowtimePrices};
use crate::schedule::Turnover;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub struct City {
    pub id: CityId,
    pub name: String,
    /// Dates in requests ("what is on on the 24th") are dates in this zone.
    pub timezone: Tz,
}

impl City {
    /// The instants `[from, until)` that make up one local calendar day in this city.
    pub fn day_bounds(&self, date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
        day_bounds(self.timezone, date)
    }
}

/// The instants `[from, until)` of a local calendar day; a day that starts in a DST gap
/// starts at the first instant that exists.
pub fn day_bounds(zone: Tz, date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let start_of = |day: NaiveDate| {
        let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
        (0..4)
            .find_map(|hours| {
                (midnight + Duration::hours(hours))
                    .and_local_timezone(zone)
                    .earliest()
            })
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| midnight.and_utc())
    };
    let next = date.succ_opt().unwrap_or(date);
    (start_of(date), start_of(next))
}

#[derive(Debug, Clone, PartialEq)]
pub struct Venue {
    pub id: VenueId,
    pub city_id: CityId,
    pub name: String,
    pub address: String,
    /// Adverts and trailers before the film, and cleaning after it: the hall is busy for both.
    pub ads_minutes: u32,
    pub cleaning_minutes: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Auditorium {
    pub id: AuditoriumId,
    pub venue_id: VenueId,
    pub name: String,
    /// The current layout version; earlier showtimes may keep an older one.
    pub layout_id: LayoutId,
    pub capacity: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: EventId,
    /// `movie` or `live`.
    pub kind: String,
    pub title: String,
    /// The title it was released under in its own language, where the listings use another
    /// (a search finds "風の手紙" as well as "Kaze no Tegami"); else empty.
    pub original_title: String,
    pub synopsis: String,
    pub cast: Vec<String>,
    /// Who directed it (or, for a live event, staged it); empty when unknown.
    pub director: String,
    pub genres: Vec<String>,
    pub language: String,
    pub runtime_minutes: u32,
    pub certificate: String,
    pub poster_url: Option<String>,
    pub trailer_url: Option<String>,
    pub release_date: Option<NaiveDate>,
}

/// The price of a seat of each category of a showtime's layout, in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceList {
    pub currency: Currency,
    pub prices: Vec<(SeatCategory, i64)>,
}

impl PriceList {
    pub fn price_of(&self, category: SeatCategory) -> Option<Money> {
        self.prices
            .iter()
            .find(|(c, _)| *c == category)
            .map(|(_, minor)| Money::new(*minor, self.currency))
    }
}

impl Venue {
    /// A venue's turnover unless it says otherwise: adverts before the film, and a clean
    /// between audiences.
    pub const DEFAULT_ADS_MINUTES: u32 = 20;
    pub const DEFAULT_CLEANING_MINUTES: u32 = 15;

    /// How long its halls are busy around a film.
    pub fn turnover(&self) -> crate::schedule::Turnover {
        crate::schedule::Turnover {
            ads_minutes: self.ads_minutes,
            cleaning_minutes: self.cleaning_minutes,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Showtime {
    pub id: ShowtimeId,
    pub event_id: EventId,
    pub auditorium_id: AuditoriumId,
    pub layout_id: LayoutId,
    pub starts_at: DateTime<Utc>,
    /// When the auditorium is free again: runtime, adverts and cleaning after the start.
    pub ends_at: DateTime<Utc>,
    /// `2D`, `3D`, `IMAX`, or for live events `live`.
    pub format: String,
    pub audio_language: String,
    pub subtitles: Option<String>,
    /// What the screening offers for access and experience, in `AccessTag::ALL`'s order.
    pub access: Vec<AccessTag>,
    /// Frozen when the showtime was scheduled: a later change of the venue's price plan does
    /// not change them. The booking fee per seat is among them.
    pub prices: ShowtimePrices,
    pub sales_open_at: DateTime<Utc>,
    /// Sales close this many minutes before the start.
    pub sales_close_minutes: u32,
}

/// An access or experience tag of a showtime, so that those who need it can find it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AccessTag {
    /// Subtitles on screen.
    Subtitled,
    /// Captions for deaf and hard-of-hearing people (SDH): speech and sounds.
    Captioned,
    /// An audio description of what is on screen, for blind and partially sighted people.
    AudioDescribed,
    /// Relaxed or sensory-friendly: softer sound, lights up, moving about is fine.
    Relaxed,
    /// For parents with babies.
    ParentAndBaby,
}

impl AccessTag {
    pub const ALL: [AccessTag; 5] = [
        AccessTag::Subtitled,
        AccessTag::Captioned,
        AccessTag::AudioDescribed,
        AccessTag::Relaxed,
        AccessTag::ParentAndBaby,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccessTag::Subtitled => "subtitled",
            AccessTag::Captioned => "captioned",
            AccessTag::AudioDescribed => "audio_described",
            AccessTag::Relaxed => "relaxed",
            AccessTag::ParentAndBaby => "parent_and_baby",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        AccessTag::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// Every tag's name, for a message saying what is accepted.
    pub fn names() -> String {
        AccessTag::ALL.map(AccessTag::as_str).join(", ")
    }

    /// The tags of `names` in `ALL`'s order, each once; the first name that is no tag is the
    /// error.
    pub fn parse_all<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Vec<Self>, String> {
        let mut tags = names
            .into_iter()
            .map(|n| AccessTag::parse(n).ok_or_else(|| n.to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        tags.sort();
        tags.dedup();
        Ok(tags)
    }
}

impl fmt::Display for AccessTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When a showtime's seats can be held: from `opens_at` until `close_minutes` before the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SalesWindow {
    pub opens_at: DateTime<Utc>,
    pub starts_at: DateTime<Utc>,
    pub close_minutes: u32,
}

impl SalesWindow {
    pub fn closes_at(&self) -> DateTime<Utc> {
        self.starts_at - Duration::minutes(i64::from(self.close_minutes))
    }

    pub fn check(&self, now: DateTime<Utc>) -> Result<(), ShowtimeError> {
        if now >= self.starts_at {
            Err(ShowtimeError::Started(self.starts_at))
        } else if now >= self.closes_at() {
            Err(ShowtimeError::SalesClosed(self.closes_at()))
        } else if now < self.opens_at {
            Err(ShowtimeError::NotOnSaleYet(self.opens_at))
        } else {
            Ok(())
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShowtimeError {
    #[error("tickets for this showtime are not on sale until {0}")]
    NotOnSaleYet(DateTime<Utc>),
    #[error("sales for this showtime closed at {0}")]
    SalesClosed(DateTime<Utc>),
    #[error("this showtime started at {0}")]
    Started(DateTime<Utc>),
    #[error("the prices give no price for {0}, which the layout has")]
    MissingPrices(MissingPrices),
    #[error("sales must open before they close")]
    SalesWindowEmpty,
    #[error("the cinema cancelled this showtime")]
    Cancelled,
}

impl Showtime {
    /// When an auditorium is next free after a showtime of an event this long starting then,
    /// with the default adverts and cleaning (`Turnover::default`).
    pub fn end_of(starts_at: DateTime<Utc>, runtime_minutes: u32) -> DateTime<Utc> {
        Turnover::default().end_of(starts_at, runtime_minutes)
    }

    pub fn sales_window(&self) -> SalesWindow {
        SalesWindow {
            opens_at: self.sales_open_at,
            starts_at: self.starts_at,
            close_minutes: self.sales_close_minutes,
        }
    }

    /// Whether seats can be held at `now`.
    pub fn check_on_sale(&self, now: DateTime<Utc>) -> Result<(), ShowtimeError> {
        self.sales_window().check(now)
    }

    /// Prices and a sales window fit to be scheduled on this layout: every ticket type has a
    /// price for every seat category of the layout, and sales open before they close.
    pub fn validate_terms(
        layout: &SeatLayout,
        prices: &ShowtimePrices,
        sales_open_at: DateTime<Utc>,
        starts_at: DateTime<Utc>,
        sales_close_minutes: u32,
    ) -> Result<(), ShowtimeError> {
        let missing: Vec<(String, SeatCategory)> = prices
            .ticket_types()
            .flat_map(|t| layout.categories().into_iter().map(move |c| (t, c)))
            .filter(|(t, c)| prices.price_of(&t.code, *c).is_none())
            .map(|(t, c)| (t.code.clone(), c))
            .collect();
        if !missing.is_empty() {
            return Err(ShowtimeError::MissingPrices(MissingPrices(missing)));
        }
        if sales_open_at >= starts_at - Duration::minutes(i64::from(sales_close_minutes)) {
            return Err(ShowtimeError::SalesWindowEmpty);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_tags_read_back_in_one_order_each_once() {
        for tag in AccessTag::ALL {
            assert_eq!(AccessTag::parse(tag.as_str()), Some(tag));
        }
        assert_eq!(
            AccessTag::parse_all(["relaxed", "captioned", "relaxed"]),
            Ok(vec![AccessTag::Captioned, AccessTag::Relaxed])
        );
        assert_eq!(
            AccessTag::parse_all(["captioned", "Captioned"]),
            Err("Captioned".to_string())
        );
        assert_eq!(AccessTag::ParentAndBaby.to_string(), "parent_and_baby");
    }
    use crate::price_plan::TicketType;
    use chrono::TimeZone;

    fn showtime(starts_at: DateTime<Utc>) -> Showtime {
        Showtime {
            id: ShowtimeId(1),
            event_id: EventId(1),
            auditorium_id: AuditoriumId(1),
            layout_id: LayoutId(1),
            starts_at,
            ends_at: Showtime::end_of(starts_at, 100),
            format: "2D".into(),
            audio_language: "en".into(),
            subtitles: None,
            access: vec![],
            prices: ShowtimePrices::single_type(
                &PriceList {
                    currency: Currency::parse("EUR").unwrap(),
                    prices: vec![],
                },
                0,
            )
            .unwrap(),
            sales_open_at: starts_at - Duration::days(7),
            sales_close_minutes: 15,
        }
    }

    #[test]
    fn a_showtime_is_on_sale_only_inside_its_sales_window() {
        let start = Utc.with_ymd_and_hms(2026, 11, 23, 20, 0, 0).unwrap();
        let s = showtime(start);
        assert!(matches!(
            s.check_on_sale(start - Duration::days(8)),
            Err(ShowtimeError::NotOnSaleYet(_))
        ));
        assert_eq!(s.check_on_sale(start - Duration::minutes(16)), Ok(()));
        assert!(matches!(
            s.check_on_sale(start - Duration::minutes(15)),
            Err(ShowtimeError::SalesClosed(_))
        ));
        assert!(matches!(
            s.check_on_sale(start),
            Err(ShowtimeError::Started(_))
        ));
        assert_eq!(s.ends_at, start + Duration::minutes(135));
    }

    #[test]
    fn the_prices_must_cover_every_ticket_type_and_category_of_the_layout() {
        let layout = SeatLayout::parse("A  sspp").unwrap();
        let eur = Currency::parse("EUR").unwrap();
        let types = vec![
            TicketType::new("adult", "Adult").unwrap(),
            TicketType::new("child", "Child").unwrap(),
        ];
        let priced = |pairs: &[(&str, SeatCategory)]| {
            let prices = pairs
                .iter()
                .map(|(t, c)| (t.to_string(), *c, 900))
                .collect();
            ShowtimePrices::new(eur, 0, types.clone(), prices).unwrap()
        };
        let start = Utc.with_ymd_and_hms(2026, 11, 23, 20, 0, 0).unwrap();
        let open = start - Duration::days(1);
        let no_premium_child = priced(&[
            ("adult", SeatCategory::Standard),
            ("adult", SeatCategory::Premium),
            ("child", SeatCategory::Standard),
        ]);
        assert_eq!(
            Showtime::validate_terms(&layout, &no_premium_child, open, start, 0),
            Err(ShowtimeError::MissingPrices(MissingPrices(vec![(
                "child".into(),
                SeatCategory::Premium
            )])))
        );
        let all = priced(&[
            ("adult", SeatCategory::Standard),
            ("adult", SeatCategory::Premium),
            ("child", SeatCategory::Standard),
            ("child", SeatCategory::Premium),
        ]);
        assert_eq!(
            Showtime::validate_terms(&layout, &all, open, start, 0),
            Ok(())
        );
        assert_eq!(
            Showtime::validate_terms(&layout, &all, start, start, 0),
            Err(ShowtimeError::SalesWindowEmpty)
        );
    }

    #[test]
    fn a_local_day_is_bounded_in_the_city_zone() {
        let (from, until) = day_bounds(
            chrono_tz::Europe::London,
            NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
        );
        assert_eq!(from, Utc.with_ymd_and_hms(2026, 6, 30, 23, 0, 0).unwrap());
        assert_eq!(until - from, Duration::hours(24));
        // The day the clocks go forward is 23 hours long.
        let (from, until) = day_bounds(
            chrono_tz::Europe::London,
            NaiveDate::from_ymd_opt(2026, 3, 29).unwrap(),
        );
        assert_eq!(until - from, Duration::hours(23));
    }
}
