//! Ticket types and a venue's price plan: the plan resolves and freezes the prices of a
//! showtime when it is scheduled.
//!
//! A plan is a list of rules read top to bottom, and the FIRST rule that matches a ticket
//! type, a seat category, the showtime's format, its weekday and the local time of its start
//! gives the price. A cinema manager can follow that by hand ("put the specific rules first");
//! a "most specific rule wins" scheme would need tie-breaking nobody can explain at the counter.
//!
//! Scheduling resolves the plan into `ShowtimePrices`, which the showtime keeps: changing the
//! plan later never changes what a seat of an already scheduled showtime costs.

use crate::catalog::PriceList;
use crate::layout::SeatCategory;
use crate::money::{Currency, Money};
use chrono::{DateTime, Datelike, NaiveDateTime, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use std::collections::HashSet;
use std::fmt;

pub const MAX_TICKET_TYPES: usize = 20;
pub const MAX_RULES: usize = 500;
pub const MAX_CODE_LEN: usize = 32;
pub const MAX_NAME_CHARS: usize = 64;
/// Formats are short words (`2D`, `3D`, `IMAX`, `live`), a few to a rule.
pub const MAX_FORMAT_LEN: usize = 16;
pub const MAX_FORMATS_PER_RULE: usize = 10;

/// A kind of ticket a venue sells (Adult, Child...). `code` is what clients send (`adult`),
/// `name` what people read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketType {
    pub code: String,
    pub name: String,
}

impl TicketType {
    /// A ticket type with a valid code (1 to 32 of `a-z`, `0-9`, `_`, `-`) and a name
    /// (1 to 64 characters, not only spaces, no control characters).
    pub fn new(code: &str, name: &str) -> Result<Self, PricingError> {
        if !TicketType::is_code(code) {
            return Err(PricingError::BadTypeCode(code.to_string()));
        }
        let name = name.trim();
        if name.is_empty()
            || name.chars().count() > MAX_NAME_CHARS
            || name.chars().any(char::is_control)
        {
            return Err(PricingError::BadTypeName(code.to_string()));
        }
        Ok(TicketType {
            code: code.to_string(),
            name: name.to_string(),
        })
    }

    /// Whether `code` has the shape of a ticket type code.
    pub fn is_code(code: &str) -> bool {
        (1..=MAX_CODE_LEN).contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
    }

    /// The one type of a showtime priced without ticket types (a bare `PriceList`).
    pub fn standard() -> Self {
        TicketType {
            code: "adult".into(),
            name: "Adult".into(),
        }
    }
}

/// One line of a price plan. Every condition left empty (`None`, `[]`) matches anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceRule {
    pub ticket_type: String,
    pub category: Option<SeatCategory>,
    /// Empty: any format. Compared without regard to ASCII case (`imax` is `IMAX`).
    pub formats: Vec<String>,
    /// Empty: any day of the week (of the showtime's local start).
    pub weekdays: Vec<Weekday>,
    /// The showtime's local start is at or after this time (inclusive).
    pub from: Option<NaiveTime>,
    /// The showtime's local start is before this time (exclusive): "before 17:00" is
    /// `until = 17:00`. A window does not wrap around midnight: write two rules for that.
    pub until: Option<NaiveTime>,
    pub price_minor: i64,
}

impl PriceRule {
    /// A rule pricing a ticket type whatever the seat and the showtime: the last rule of a
    /// type, after its specific ones.
    pub fn any(ticket_type: &str, price_minor: i64) -> Self {
        PriceRule {
            ticket_type: ticket_type.to_string(),
            category: None,
            formats: vec![],
            weekdays: vec![],
            from: None,
            until: None,
            price_minor,
        }
    }

    fn matches(&self, ticket_type: &str, category: SeatCategory, at: &Occasion) -> bool {
        self.ticket_type == ticket_type
            && self.category.is_none_or(|c| c == category)
            && (self.formats.is_empty()
                || self
                    .formats
                    .iter()
                    .any(|f| f.eq_ignore_ascii_case(at.format)))
            && (self.weekdays.is_empty() || self.weekdays.contains(&at.local_start.weekday()))
            && self.from.is_none_or(|from| at.local_start.time() >= from)
            && self.until.is_none_or(|until| at.local_start.time() < until)
    }
}

/// What a showtime is, as far as its prices depend on it.
struct Occasion<'a> {
    local_start: NaiveDateTime,
    format: &'a str,
}

/// A venue's prices: its ticket types (the first is the default) and the rules that price them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricePlan {
    currency: Currency,
    booking_fee_minor: i64,
    ticket_types: Vec<TicketType>,
    rules: Vec<PriceRule>,
}

impl PricePlan {
    /// A plan that can be used: 1 to 20 ticket types with distinct codes, at most 500 rules,
    /// each for a known ticket type, no negative price or fee, `from` before `until`.
    pub fn new(
        currency: Currency,
        booking_fee_minor: i64,
        ticket_types: Vec<TicketType>,
        rules: Vec<PriceRule>,
    ) -> Result<Self, PricingError> {
        let codes = distinct_codes(&ticket_types)?;
        if rules.len() > MAX_RULES {
            return Err(PricingError::TooManyRules);
        }
        if booking_fee_minor < 0 {
            return Err(PricingError::NegativePrice);
        }
        for (index, rule) in rules.iter().enumerate() {
            let bad = |reason: &str| PricingError::BadRule {
                rule: index + 1,
                reason: reason.to_string(),
            };
            if !codes.contains(rule.ticket_type.as_str()) {
                return Err(bad(&format!(
                    "no ticket type has the code {:?}",
                    rule.ticket_type
                )));
            }
            if rule.price_minor < 0 {
                return Err(bad("a price cannot be negative"));
            }
            if let (Some(from), Some(until)) = (rule.from, rule.until) {
                if from >= until {
                    return Err(bad("from must be before until"));
                }
            }
            if rule.formats.len() > MAX_FORMATS_PER_RULE
                || rule
                    .formats
                    .iter()
                    .any(|f| f.is_empty() || f.len() > MAX_FORMAT_LEN)
            {
                return Err(bad(
                    "a rule names at most 10 formats, each 1 to 16 characters",
                ));
            }
        }
        Ok(PricePlan {
            currency,
            booking_fee_minor,
            ticket_types,
            rules,
        })
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn booking_fee_minor(&self) -> i64 {
        self.booking_fee_minor
    }

    pub fn ticket_types(&self) -> &[TicketType] {
        &self.ticket_types
    }

    pub fn rules(&self) -> &[PriceRule] {
        &self.rules
    }

    /// `resolve` for a showtime starting at the instant `starts_at` in a venue in `zone`.
    pub fn resolve_at(
        &self,
        starts_at: DateTime<Utc>,
        zone: Tz,
        format: &str,
        categories: &[SeatCategory],
    ) -> Result<ShowtimePrices, PricingError> {
        let local_start = starts_at.with_timezone(&zone).naive_local();
        self.resolve(local_start, format, categories)
    }

    /// The prices of a showtime starting at `local_start` (the venue's wall clock) in
    /// `format`, for every ticket type and every seat category of its layout. Fails naming
    /// every (ticket type, category) pair no rule prices.
    pub fn resolve(
        &self,
        local_start: NaiveDateTime,
        format: &str,
        categories: &[SeatCategory],
    ) -> Result<ShowtimePrices, PricingError> {
        let occasion = Occasion {
            local_start,
            format,
        };
        let mut categories = categories.to_vec();
        categories.sort();
        categories.dedup();
        let mut prices = Vec::new();
        let mut missing = Vec::new();
        for ticket_type in &self.ticket_types {
            for &category in &categories {
                match self
                    .rules
                    .iter()
                    .find(|r| r.matches(&ticket_type.code, category, &occasion))
                {
                    Some(rule) => {
                        prices.push((ticket_type.code.clone(), category, rule.price_minor))
                    }
                    None => missing.push((ticket_type.code.clone(), category)),
                }
            }
        }
        if !missing.is_empty() {
            return Err(PricingError::Unpriced(MissingPrices(missing)));
        }
        ShowtimePrices::new(
            self.currency,
            self.booking_fee_minor,
            self.ticket_types.clone(),
            prices,
        )
    }
}

/// The codes of 1 to `MAX_TICKET_TYPES` ticket types, refused if one is there twice.
fn distinct_codes(ticket_types: &[TicketType]) -> Result<HashSet<&str>, PricingError> {
    if ticket_types.is_empty() || ticket_types.len() > MAX_TICKET_TYPES {
        return Err(PricingError::TicketTypeCount);
    }
    let mut codes = HashSet::new();
    match ticket_types.iter().find(|t| !codes.insert(t.code.as_str())) {
        Some(dup) => Err(PricingError::DuplicateType(dup.code.clone())),
        None => Ok(codes),
    }
}

/// The prices a showtime keeps, frozen when it was scheduled: one per ticket type and seat
/// category, in one currency, and the booking fee per seat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShowtimePrices {
    currency: Currency,
    booking_fee_minor: i64,
    /// What a booking that names no type buys: the plan's first type.
    default_type: TicketType,
    /// The plan's other types, in order.
    other_types: Vec<TicketType>,
    /// (ticket type code, category, price in minor units), each pair at most once.
    prices: Vec<(String, SeatCategory, i64)>,
}

impl ShowtimePrices {
    /// Frozen prices as stored: at least one ticket type, distinct codes, each price for a
    /// known type, each (type, category) pair once, nothing negative.
    pub fn new(
        currency: Currency,
        booking_fee_minor: i64,
        ticket_types: Vec<TicketType>,
        prices: Vec<(String, SeatCategory, i64)>,
    ) -> Result<Self, PricingError> {
        let codes = distinct_codes(&ticket_types)?;
        if booking_fee_minor < 0 || prices.iter().any(|(_, _, p)| *p < 0) {
            return Err(PricingError::NegativePrice);
        }
        let mut pairs = HashSet::new();
        for (code, category, _) in &prices {
            if !codes.contains(code.as_str()) {
                return Err(PricingError::UnknownType(code.clone()));
            }
            if !pairs.insert((code.as_str(), *category)) {
                return Err(PricingError::DuplicatePrice(code.clone(), *category));
            }
        }
        let mut types = ticket_types.into_iter();
        let default_type = types.next().ok_or(PricingError::TicketTypeCount)?;
        Ok(ShowtimePrices {
            currency,
            booking_fee_minor,
            default_type,
            other_types: types.collect(),
            prices,
        })
    }

    /// A showtime priced by category only: one ticket type (`TicketType::standard`).
    pub fn single_type(list: &PriceList, booking_fee_minor: i64) -> Result<Self, PricingError> {
        let standard = TicketType::standard();
        let prices = list
            .prices
            .iter()
            .map(|(category, minor)| (standard.code.clone(), *category, *minor))
            .collect();
        ShowtimePrices::new(list.currency, booking_fee_minor, vec![standard], prices)
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn booking_fee_minor(&self) -> i64 {
        self.booking_fee_minor
    }

    /// The ticket types in the plan's order, the default first.
    pub fn ticket_types(&self) -> impl Iterator<Item = &TicketType> {
        std::iter::once(&self.default_type).chain(&self.other_types)
    }

    /// What the `seats: [...]` form of a booking buys: the plan's first ticket type.
    pub fn default_type(&self) -> &TicketType {
        &self.default_type
    }

    pub fn ticket_type(&self, code: &str) -> Option<&TicketType> {
        self.ticket_types().find(|t| t.code == code)
    }

    /// A seat's price with its booking fee: what the customer pays for it.
    pub fn with_fee(&self, price: Money) -> Money {
        Money::new(price.minor + self.booking_fee_minor, price.currency)
    }

    /// A ticket type's name as customers read it (`Adult`), or its code when the plan does
    /// not name it.
    pub fn type_name(&self, code: &str) -> String {
        self.ticket_type(code)
            .map_or_else(|| code.to_string(), |t| t.name.clone())
    }

    /// Every (type code, category, price in minor units), types in order.
    pub fn entries(&self) -> &[(String, SeatCategory, i64)] {
        &self.prices
    }

    pub fn price_of(&self, ticket_type: &str, category: SeatCategory) -> Option<Money> {
        self.prices
            .iter()
            .find(|(code, c, _)| code == ticket_type && *c == category)
            .map(|(_, _, minor)| Money::new(*minor, self.currency))
    }

    /// The prices of one ticket type by seat category.
    pub fn price_list_of(&self, ticket_type: &str) -> PriceList {
        PriceList {
            currency: self.currency,
            prices: self
                .prices
                .iter()
                .filter(|(code, _, _)| code == ticket_type)
                .map(|(_, category, minor)| (*category, *minor))
                .collect(),
        }
    }

    /// The default type's prices, as the price list code that knows no ticket types reads.
    pub fn price_list(&self) -> PriceList {
        self.price_list_of(&self.default_type().code)
    }
}

/// The (ticket type code, category) pairs a plan gives no price, in the plan's type order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingPrices(pub Vec<(String, SeatCategory)>);

impl fmt::Display for MissingPrices {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pairs: Vec<String> = self
            .0
            .iter()
            .map(|(code, category)| format!("{code} × {category}"))
            .collect();
        f.write_str(&pairs.join(", "))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    #[error("a ticket type code is 1 to {MAX_CODE_LEN} of a-z, 0-9, _ and -; got {0:?}")]
    BadTypeCode(String),
    #[error("ticket type {0} needs a name of 1 to {MAX_NAME_CHARS} characters")]
    BadTypeName(String),
    #[error("a price plan has 1 to {MAX_TICKET_TYPES} ticket types")]
    TicketTypeCount,
    #[error("ticket type {0} appears twice")]
    DuplicateType(String),
    #[error("a price plan has at most {MAX_RULES} rules")]
    TooManyRules,
    #[error("prices and fees cannot be negative")]
    NegativePrice,
    #[error("rule {rule}: {reason}")]
    BadRule { rule: usize, reason: String },
    #[error("no ticket type has the code {0:?}")]
    UnknownType(String),
    #[error("{0} × {1} is priced twice")]
    DuplicatePrice(String, SeatCategory),
    #[error("the price plan gives no price for {0}")]
    Unpriced(MissingPrices),
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    fn types() -> Vec<TicketType> {
        vec![
            TicketType::new("adult", "Adult").unwrap(),
            TicketType::new("child", "Child").unwrap(),
        ]
    }

    fn rule(ticket_type: &str, price_minor: i64) -> PriceRule {
        PriceRule::any(ticket_type, price_minor)
    }

    fn at(date: (i32, u32, u32), hour: u32, minute: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(date.0, date.1, date.2)
            .unwrap()
            .and_hms_opt(hour, minute, 0)
            .unwrap()
    }

    const WEEKDAYS: [Weekday; 5] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ];

    /// Adults pay 900 before 17:00 Monday to Friday, 1200 otherwise, 3D adds 300 (written
    /// first, so it wins); children pay 700.
    fn plan() -> PricePlan {
        let matinee = PriceRule {
            weekdays: WEEKDAYS.to_vec(),
            until: NaiveTime::from_hms_opt(17, 0, 0),
            ..rule("adult", 900)
        };
        let three_d = PriceRule {
            formats: vec!["3D".into()],
            ..rule("adult", 1500)
        };
        PricePlan::new(
            eur(),
            50,
            types(),
            vec![three_d, matinee, rule("adult", 1200), rule("child", 700)],
        )
        .unwrap()
    }

    fn adult_standard(plan: &PricePlan, start: NaiveDateTime, format: &str) -> i64 {
        plan.resolve(start, format, &[SeatCategory::Standard])
            .unwrap()
            .price_of("adult", SeatCategory::Standard)
            .unwrap()
            .minor
    }

    // 2026-12-07 is a Monday, 2026-12-12 a Saturday.
    const MONDAY: (i32, u32, u32) = (2026, 12, 7);
    const SATURDAY: (i32, u32, u32) = (2026, 12, 12);

    #[test]
    fn before_five_on_a_weekday_means_until_five_exclusive() {
        let plan = plan();
        assert_eq!(adult_standard(&plan, at(MONDAY, 16, 59), "2D"), 900);
        assert_eq!(adult_standard(&plan, at(MONDAY, 17, 0), "2D"), 1200);
        assert_eq!(adult_standard(&plan, at(MONDAY, 0, 0), "2D"), 900);
    }

    #[test]
    fn a_weekday_rule_does_not_price_a_saturday() {
        let plan = plan();
        assert_eq!(adult_standard(&plan, at(SATURDAY, 14, 0), "2D"), 1200);
        assert_eq!(adult_standard(&plan, at((2026, 12, 11), 14, 0), "2D"), 900);
    }

    #[test]
    fn an_instant_is_priced_by_the_venue_wall_clock() {
        // 15:30 UTC on a summer Monday is 16:30 in London (a matinee) and 17:30 in Berlin.
        let starts_at = at((2026, 7, 6), 15, 30).and_utc();
        let adult = |zone| {
            plan()
                .resolve_at(starts_at, zone, "2D", &[SeatCategory::Standard])
                .unwrap()
                .price_of("adult", SeatCategory::Standard)
                .map(|m| m.minor)
        };
        assert_eq!(adult(chrono_tz::Europe::London), Some(900));
        assert_eq!(adult(chrono_tz::Europe::Berlin), Some(1200));
    }

    #[test]
    fn a_format_rule_prices_only_that_format_and_the_first_match_wins() {
        let plan = plan();
        // The 3D rule comes before the matinee rule, so a 3D matinee pays the 3D price.
        assert_eq!(adult_standard(&plan, at(MONDAY, 14, 0), "3D"), 1500);
        assert_eq!(adult_standard(&plan, at(MONDAY, 14, 0), "3d"), 1500);
        assert_eq!(adult_standard(&plan, at(MONDAY, 14, 0), "IMAX"), 900);
        // The same rules in another order give another answer: order is the meaning.
        let reordered = PricePlan::new(
            eur(),
            0,
            types(),
            vec![
                plan.rules()[1].clone(),
                plan.rules()[0].clone(),
                rule("adult", 1200),
                rule("child", 700),
            ],
        )
        .unwrap();
        assert_eq!(adult_standard(&reordered, at(MONDAY, 14, 0), "3D"), 900);
    }

    #[test]
    fn a_category_rule_prices_only_that_category() {
        let premium = PriceRule {
            category: Some(SeatCategory::Premium),
            ..rule("adult", 1800)
        };
        let plan = PricePlan::new(
            eur(),
            0,
            types(),
            vec![premium, rule("adult", 1000), rule("child", 600)],
        )
        .unwrap();
        let prices = plan
            .resolve(
                at(MONDAY, 20, 0),
                "2D",
                &[SeatCategory::Premium, SeatCategory::Standard],
            )
            .unwrap();
        let minor = |t: &str, c| prices.price_of(t, c).map(|m| m.minor);
        assert_eq!(minor("adult", SeatCategory::Premium), Some(1800));
        assert_eq!(minor("adult", SeatCategory::Standard), Some(1000));
        assert_eq!(minor("child", SeatCategory::Premium), Some(600));
        assert_eq!(minor("child", SeatCategory::Accessible), None);
        assert_eq!(minor("senior", SeatCategory::Standard), None);
        assert_eq!(prices.default_type().code, "adult");
        assert_eq!(prices.booking_fee_minor(), 0);
        assert_eq!(
            prices.price_list(),
            PriceList {
                currency: eur(),
                prices: vec![
                    (SeatCategory::Standard, 1000),
                    (SeatCategory::Premium, 1800)
                ],
            }
        );
    }

    #[test]
    fn a_missing_type_and_category_pair_is_an_error_naming_it() {
        let premium_adults_only = PriceRule {
            category: Some(SeatCategory::Premium),
            ..rule("adult", 1800)
        };
        let plan = PricePlan::new(
            eur(),
            0,
            types(),
            vec![premium_adults_only, rule("child", 600)],
        )
        .unwrap();
        let err = plan
            .resolve(
                at(MONDAY, 20, 0),
                "2D",
                &[SeatCategory::Standard, SeatCategory::Premium],
            )
            .unwrap_err();
        assert_eq!(
            err,
            PricingError::Unpriced(MissingPrices(vec![(
                "adult".into(),
                SeatCategory::Standard
            )]))
        );
        assert_eq!(
            err.to_string(),
            "the price plan gives no price for adult × standard"
        );
    }

    #[test]
    fn a_plan_that_cannot_be_applied_is_refused() {
        let cases: Vec<(Vec<TicketType>, Vec<PriceRule>, &str)> = vec![
            (vec![], vec![], "1 to 20 ticket types"),
            (
                vec![types()[0].clone(), types()[0].clone()],
                vec![],
                "appears twice",
            ),
            (types(), vec![rule("senior", 100)], "rule 1: no ticket type"),
            (
                types(),
                vec![rule("adult", 1), rule("child", -1)],
                "rule 2: a price",
            ),
            (
                types(),
                vec![PriceRule {
                    from: NaiveTime::from_hms_opt(17, 0, 0),
                    until: NaiveTime::from_hms_opt(17, 0, 0),
                    ..rule("adult", 1)
                }],
                "from must be before until",
            ),
            (
                types(),
                vec![rule("adult", 1); MAX_RULES + 1],
                "at most 500 rules",
            ),
            (
                types(),
                vec![PriceRule {
                    formats: vec!["3D".into(), String::new()],
                    ..rule("adult", 1)
                }],
                "rule 1: a rule names at most 10 formats",
            ),
        ];
        for (types, rules, expected) in cases {
            let err = PricePlan::new(eur(), 0, types, rules).unwrap_err();
            assert!(err.to_string().contains(expected), "{err} / {expected}");
        }
        assert_eq!(
            PricePlan::new(eur(), -1, types(), vec![]),
            Err(PricingError::NegativePrice)
        );
    }

    #[test]
    fn ticket_type_codes_are_short_lowercase_slugs() {
        for good in ["adult", "child_3-11", "a", &"x".repeat(32)] {
            assert!(TicketType::new(good, "Name").is_ok(), "{good}");
        }
        for bad in ["", "Adult", "adult ticket", "kid!", &"x".repeat(33), "é"] {
            assert_eq!(
                TicketType::new(bad, "Name"),
                Err(PricingError::BadTypeCode(bad.into()))
            );
        }
        assert!(TicketType::new("adult", "  ").is_err());
        assert!(TicketType::new("adult", "Adult\nChild").is_err());
        assert!(TicketType::new("adult", &"n".repeat(65)).is_err());
        assert_eq!(TicketType::new("adult", " Adult ").unwrap().name, "Adult");
    }

    #[test]
    fn frozen_prices_as_stored_are_checked() {
        let adult = || ("adult".to_string(), SeatCategory::Standard, 900);
        assert!(ShowtimePrices::new(eur(), 0, types(), vec![adult()]).is_ok());
        assert_eq!(
            ShowtimePrices::new(eur(), 0, types(), vec![adult(), adult()]),
            Err(PricingError::DuplicatePrice(
                "adult".into(),
                SeatCategory::Standard
            ))
        );
        assert_eq!(
            ShowtimePrices::new(
                eur(),
                0,
                types(),
                vec![("senior".into(), SeatCategory::Standard, 1)]
            ),
            Err(PricingError::UnknownType("senior".into()))
        );
        assert_eq!(
            ShowtimePrices::new(eur(), 0, vec![], vec![]),
            Err(PricingError::TicketTypeCount)
        );
        let list = PriceList {
            currency: eur(),
            prices: vec![(SeatCategory::Standard, 900)],
        };
        let single = ShowtimePrices::single_type(&list, 25).unwrap();
        assert_eq!(single.price_list(), list);
        assert_eq!(
            single.price_of("adult", SeatCategory::Standard),
            Some(Money::new(900, eur()))
        );
    }
}
