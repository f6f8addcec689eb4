//! A venue's price plan as its managers read and replace it. The plan arrives as text fields
//! (codes, names, `HH:MM` times, `mon`...`sun`); each is read here with an error naming the
//! field, and the whole is checked by the domain's `PricePlan::new`.

use crate::app::App;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::staff::StaffUser;
use chrono::{NaiveTime, Weekday};
use marquee_domain::{Currency, Entity, PricePlan, PriceRule, SeatCategory, TicketType, VenueId};
use marquee_store::Actor;

/// A plan's rule as sent: every condition may be left out.
#[derive(Debug, Clone, Default)]
pub struct RuleInput {
    pub ticket_type: String,
    pub category: Option<String>,
    pub formats: Vec<String>,
    pub weekdays: Vec<String>,
    pub from: Option<String>,
    pub until: Option<String>,
    pub price_minor: i64,
}

/// A plan as sent: its ticket types as `(code, name)`, the default first.
#[derive(Debug, Clone, Default)]
pub struct PlanInput {
    pub currency: String,
    pub booking_fee_minor: i64,
    pub ticket_types: Vec<(String, String)>,
    pub rules: Vec<RuleInput>,
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::invalid(ErrorCode::InvalidRequest, message)
}

/// `mon`, `tue`, ... `sun`: the weekday names of the admin API.
pub fn weekday(name: &str) -> Option<Weekday> {
    let day = name.parse::<Weekday>().ok()?;
    (marquee_store::price_codec::weekday_name(day) == name).then_some(day)
}

/// A wall-clock time written `HH:MM`.
pub fn clock_time(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M")
        .ok()
        .filter(|_| text.len() == 5)
}

fn rule(index: usize, input: RuleInput) -> AppResult<PriceRule> {
    // Counted from 1, as the domain's own errors count rules.
    let at = |field: &str| format!("rule {} {field}", index + 1);
    let category = input
        .category
        .map(|c| {
            SeatCategory::parse(&c).ok_or_else(|| {
                invalid(format!(
                    "{}: {c:?} is not standard, premium, accessible or companion",
                    at("category")
                ))
            })
        })
        .transpose()?;
    let weekdays = input
        .weekdays
        .iter()
        .map(|d| {
            weekday(d).ok_or_else(|| {
                invalid(format!(
                    "{}: {d:?} is not mon, tue, ... sun",
                    at("weekdays")
                ))
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let time = |field: &str, value: Option<String>| {
        value
            .map(|t| {
                clock_time(&t)
                    .ok_or_else(|| invalid(format!("{}: {t:?} is not a time HH:MM", at(field))))
            })
            .transpose()
    };
    Ok(PriceRule {
        ticket_type: input.ticket_type,
        category,
        formats: input.formats,
        weekdays,
        from: time("from", input.from)?,
        until: time("until", input.until)?,
        price_minor: input.price_minor,
    })
}

/// The plan `input` describes, or a 400 `invalid_request` naming what is wrong.
pub fn plan(input: PlanInput) -> AppResult<PricePlan> {
    let currency =
        Currency::parse(&input.currency).map_err(|e| invalid(format!("currency: {e}")))?;
    let types = input
        .ticket_types
        .iter()
        .map(|(code, name)| TicketType::new(code, name))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(format!("ticket_types: {e}")))?;
    let rules = input
        .rules
        .into_iter()
        .enumerate()
        .map(|(index, r)| rule(index, r))
        .collect::<AppResult<Vec<_>>>()?;
    PricePlan::new(currency, input.booking_fee_minor, types, rules)
        .map_err(|e| invalid(e.to_string()))
}

/// A venue's plan; 404 `price_plan_not_found` when it has none yet.
pub async fn venue_plan(app: &App, staff: &StaffUser, venue: VenueId) -> AppResult<PricePlan> {
    staff.venue(venue, Entity::Venue)?;
    app.store()
        .get_venue(venue)
        .await?
        .ok_or(AppError::NotFound(Entity::Venue))?;
    app.store()
        .venue_price_plan(venue)
        .await?
        .ok_or(AppError::NotFound(Entity::PricePlan))
}

/// Replaces a venue's plan whole. Showtimes scheduled already keep their frozen prices.
pub async fn put_plan(
    app: &App,
    staff: &StaffUser,
    venue: VenueId,
    input: PlanInput,
    by: Actor<PricePlan>,
) -> AppResult<PricePlan> {
    staff.venue(venue, Entity::Venue)?;
    let plan = plan(input)?;
    app.store()
        .put_price_plan(venue, &plan, app.now(), by)
        .await?;
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> PlanInput {
        PlanInput {
            currency: "EUR".into(),
            booking_fee_minor: 50,
            ticket_types: vec![("adult".into(), "Adult".into())],
            rules: vec![RuleInput {
                ticket_type: "adult".into(),
                weekdays: vec!["mon".into()],
                until: Some("17:00".into()),
                price_minor: 800,
                ..RuleInput::default()
            }],
        }
    }

    fn refused(change: impl FnOnce(&mut PlanInput)) -> String {
        let mut input = input();
        change(&mut input);
        plan(input).expect_err("refused").to_string()
    }

    #[test]
    fn a_plan_is_read_field_by_field_and_each_error_names_its_field() {
        let plan = plan(input()).unwrap();
        assert_eq!(plan.rules()[0].weekdays, [Weekday::Mon]);
        assert_eq!(plan.rules()[0].until, NaiveTime::from_hms_opt(17, 0, 0));
        assert!(refused(|p| p.currency = "euro".into()).starts_with("currency"));
        assert!(
            refused(|p| p.rules[0].weekdays = vec!["Monday".into()]).starts_with("rule 1 weekdays")
        );
        assert!(refused(|p| p.rules[0].until = Some("5pm".into())).starts_with("rule 1 until"));
        assert!(
            refused(|p| p.rules[0].category = Some("vip".into())).starts_with("rule 1 category")
        );
        assert!(refused(|p| p.ticket_types[0].0 = "Adult!".into()).starts_with("ticket_types"));
        // What the domain refuses says which rule.
        let unknown = refused(|p| p.rules[0].ticket_type = "child".into());
        assert!(
            unknown.contains("rule 1") && unknown.contains("child"),
            "{unknown}"
        );
        assert!(refused(|p| p.booking_fee_minor = -1).contains("negative"));
    }

    #[test]
    fn weekdays_and_times_take_only_the_api_spelling() {
        assert_eq!(weekday("sun"), Some(Weekday::Sun));
        assert_eq!(weekday("Sunday"), None);
        assert_eq!(weekday("SUN"), None);
        assert_eq!(clock_time("09:30"), NaiveTime::from_hms_opt(9, 30, 0));
        assert_eq!(clock_time("9:30"), None);
        assert_eq!(clock_time("24:00"), None);
    }
}
