//! `/admin/venues/{id}/price-plan`: a venue's price plan as one form, replaced whole by
//! `price_plans::put_plan` (which checks it: every rule is the service's and the domain's).
//! Ticket types and rules are table rows, with a few blank rows to add more; a row is removed
//! by its checkbox, and rules are read in the order of their "#" numbers. Amounts are typed as
//! decimals ("12.50") and read as integers (`money::parse_decimal`). `/admin/price-plans`
//! lists the venues with their plans.

use super::{by, id_of};
use crate::form::{FieldErrors, FORM};
use crate::page::{html, PageError};
use crate::session::Staff;
use crate::shell::Shell;
use askama::Template;
use axum::extract::{Path, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use marquee_domain::money::{decimal, parse_decimal};
use marquee_domain::{Entity, PricePlan, SeatCategory, VenueId};
use marquee_server::error::AppError;
use marquee_server::http::admin::pricing::plan_json;
use marquee_server::http::staff::Manager;
use marquee_server::price_plans::{self, PlanInput, RuleInput};
use marquee_server::{back_office, App};
use marquee_store::price_codec::weekday_name;
use std::collections::BTreeMap;

/// Blank rows offered to add ticket types and rules.
const BLANK_TYPES: usize = 2;
const BLANK_RULES: usize = 3;
/// Rows beyond these are not read: a plan has at most 20 types and 500 rules.
const MAX_ROWS: usize = 1000;

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

#[derive(Default)]
pub struct TypeRow {
    code: String,
    name: String,
    remove: bool,
}

impl TypeRow {
    fn is_blank(&self) -> bool {
        self.code.trim().is_empty() && self.name.trim().is_empty()
    }
}

#[derive(Default)]
pub struct RuleRow {
    position: String,
    ticket_type: String,
    category: String,
    formats: String,
    weekdays: Vec<String>,
    from: String,
    until: String,
    price: String,
    remove: bool,
    /// What is wrong with this rule.
    error: Option<String>,
}

impl RuleRow {
    fn has_weekday(&self, day: &&str) -> bool {
        self.weekdays.iter().any(|d| d == day)
    }

    fn is_blank(&self) -> bool {
        [&self.ticket_type, &self.category, &self.formats]
            .into_iter()
            .chain([&self.from, &self.until, &self.price])
            .all(|f| f.trim().is_empty())
            && self.weekdays.is_empty()
    }
}

/// The plan as typed.
#[derive(Default)]
pub struct PlanForm {
    currency: String,
    booking_fee: String,
    types: Vec<TypeRow>,
    rules: Vec<RuleRow>,
}

impl PlanForm {
    fn of(plan: &PricePlan) -> PlanForm {
        let time = |t: Option<chrono::NaiveTime>| {
            t.map_or(String::new(), |t| t.format("%H:%M").to_string())
        };
        PlanForm {
            currency: plan.currency().to_string(),
            booking_fee: decimal(plan.booking_fee_minor()),
            types: plan
                .ticket_types()
                .iter()
                .map(|t| TypeRow {
                    code: t.code.clone(),
                    name: t.name.clone(),
                    remove: false,
                })
                .collect(),
            rules: plan
                .rules()
                .iter()
                .enumerate()
                .map(|(n, r)| RuleRow {
                    position: (n + 1).to_string(),
                    ticket_type: r.ticket_type.clone(),
                    category: r.category.map_or("", SeatCategory::as_str).to_string(),
                    formats: r.formats.join(", "),
                    weekdays: r.weekdays.iter().map(|d| weekday_name(*d)).collect(),
                    from: time(r.from),
                    until: time(r.until),
                    price: decimal(r.price_minor),
                    ..RuleRow::default()
                })
                .collect(),
        }
    }

    /// A plan for a venue that has none: one ticket type to start from.
    fn first() -> PlanForm {
        PlanForm {
            booking_fee: "0.00".into(),
            types: vec![TypeRow {
                code: "adult".into(),
                name: "Adult".into(),
                remove: false,
            }],
            ..PlanForm::default()
        }
    }

    fn parse(body: &[u8]) -> PlanForm {
        let mut form = PlanForm::default();
        let mut types: BTreeMap<usize, TypeRow> = BTreeMap::new();
        let mut rules: BTreeMap<usize, RuleRow> = BTreeMap::new();
        for (name, value) in form_urlencoded::parse(body) {
            let value = value.into_owned();
            match &*name {
                "currency" => form.currency = value,
                "booking_fee" => form.booking_fee = value,
                _ => row_field(&name, value, &mut types, &mut rules),
            }
        }
        form.types = types.into_values().collect();
        form.rules = rules.into_values().collect();
        form
    }

    /// The rows that are sent (not removed, not blank), rules in the order of their numbers
    /// (a row without one last), each with its row's index.
    fn sent_rules(&self) -> Vec<usize> {
        let mut sent: Vec<usize> = (0..self.rules.len())
            .filter(|n| !self.rules[*n].remove && !self.rules[*n].is_blank())
            .collect();
        sent.sort_by_key(|n| {
            (
                self.rules[*n]
                    .position
                    .trim()
                    .parse::<u32>()
                    .unwrap_or(u32::MAX),
                *n,
            )
        });
        sent
    }

    /// What the service is given; an amount that cannot be read is the error of its row or
    /// field (`Err` with every row's error set).
    fn input(&mut self) -> Result<PlanInput, FieldErrors> {
        let fee = match self.booking_fee.trim() {
            "" => 0,
            typed => parse_decimal(typed).ok_or_else(|| {
                FieldErrors::one(
                    "booking_fee",
                    "Give the booking fee as 0.50, or 0 for none.",
                )
            })?,
        };
        let sent = self.sent_rules();
        let mut unread = false;
        let mut rules = Vec::with_capacity(sent.len());
        for &n in &sent {
            let row = &mut self.rules[n];
            let Some(price_minor) = parse_decimal(&row.price) else {
                row.error = Some("Give the price as 12.50.".into());
                unread = true;
                continue;
            };
            let optional = |text: &str| Some(text.trim().to_string()).filter(|t| !t.is_empty());
            rules.push(RuleInput {
                ticket_type: row.ticket_type.trim().to_string(),
                category: optional(&row.category),
                formats: row
                    .formats
                    .split(',')
                    .map(str::trim)
                    .filter(|f| !f.is_empty())
                    .map(str::to_string)
                    .collect(),
                weekdays: row.weekdays.clone(),
                from: optional(&row.from),
                until: optional(&row.until),
                price_minor,
            });
        }
        if unread {
            return Err(FieldErrors::one(
                FORM,
                "Some prices cannot be read: see the rules marked below.",
            ));
        }
        Ok(PlanInput {
            currency: self.currency.trim().to_string(),
            booking_fee_minor: fee,
            ticket_types: self
                .types
                .iter()
                .filter(|t| !t.remove && !t.is_blank())
                .map(|t| (t.code.trim().to_string(), t.name.trim().to_string()))
                .collect(),
            rules,
        })
    }

    /// The service's refusal placed: a rule's next to its row ("rule 3 until: ..." counts the
    /// rules as sent), a field's next to the field, anything else above the form.
    fn refused(&mut self, error: AppError) -> Result<FieldErrors, PageError> {
        if let AppError::Invalid { message, .. } = &error {
            let rule = message
                .strip_prefix("rule ")
                .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|n| n.parse::<usize>().ok());
            if let Some(row) = rule.and_then(|n| self.sent_rules().get(n.checked_sub(1)?).copied())
            {
                self.rules[row].error = Some(crate::form::sentence(message));
                return Ok(FieldErrors::one(
                    FORM,
                    "A rule is wrong: see the rule marked below.",
                ));
            }
        }
        FieldErrors::from_refusal(error, &["currency", "ticket_types"])
    }

    /// The form with its blank rows: those typed blank are dropped first.
    fn with_blanks(mut self) -> PlanForm {
        self.types.retain(|t| !t.is_blank());
        self.rules.retain(|r| !r.is_blank());
        self.types
            .extend((0..BLANK_TYPES).map(|_| TypeRow::default()));
        let next = self.rules.len();
        self.rules.extend((0..BLANK_RULES).map(|n| RuleRow {
            position: (next + n + 1).to_string(),
            ..RuleRow::default()
        }));
        self
    }
}

/// A field of a numbered row (`rule_price_3`).
fn row_field(
    name: &str,
    value: String,
    types: &mut BTreeMap<usize, TypeRow>,
    rules: &mut BTreeMap<usize, RuleRow>,
) {
    let Some((field, row)) = name
        .rsplit_once('_')
        .and_then(|(f, n)| Some((f, n.parse::<usize>().ok()?)))
        .filter(|(_, n)| *n < MAX_ROWS)
    else {
        return;
    };
    match field {
        "type_code" => types.entry(row).or_default().code = value,
        "type_name" => types.entry(row).or_default().name = value,
        "type_remove" => types.entry(row).or_default().remove = true,
        "rule_position" => rules.entry(row).or_default().position = value,
        "rule_type" => rules.entry(row).or_default().ticket_type = value,
        "rule_category" => rules.entry(row).or_default().category = value,
        "rule_formats" => rules.entry(row).or_default().formats = value,
        "rule_weekdays" => rules.entry(row).or_default().weekdays.push(value),
        "rule_from" => rules.entry(row).or_default().from = value,
        "rule_until" => rules.entry(row).or_default().until = value,
        "rule_price" => rules.entry(row).or_default().price = value,
        "rule_remove" => rules.entry(row).or_default().remove = true,
        _ => {}
    }
}

#[derive(Template)]
#[template(path = "admin/price_plan.html")]
struct PlanPage {
    shell: Shell,
    csrf: String,
    venue_id: i64,
    venue: String,
    /// Whether the venue has a plan yet.
    exists: bool,
    plan: PlanForm,
    errors: FieldErrors,
    categories: [SeatCategory; 4],
    weekdays: [&'static str; 7],
    saved: bool,
}

async fn plan_page(
    app: &App,
    staff: &Staff<Manager>,
    venue: VenueId,
    typed: Option<PlanForm>,
) -> Result<PlanPage, PageError> {
    let name = back_office::venue(app, &staff.staff, venue).await?.name;
    let stored = match price_plans::venue_plan(app, &staff.staff, venue).await {
        Ok(plan) => Some(plan),
        Err(AppError::NotFound(Entity::PricePlan)) => None,
        Err(other) => return Err(other.into()),
    };
    let plan = typed.unwrap_or_else(|| stored.as_ref().map_or_else(PlanForm::first, PlanForm::of));
    Ok(PlanPage {
        shell: Shell::staff(&staff.signed_in, &staff.staff, "/admin/price-plans"),
        csrf: staff.signed_in.csrf.clone(),
        venue_id: venue.0,
        venue: name,
        exists: stored.is_some(),
        plan: plan.with_blanks(),
        errors: FieldErrors::default(),
        categories: SeatCategory::ALL,
        weekdays: WEEKDAYS,
        saved: false,
    })
}

/// `GET /admin/venues/{id}/price-plan`.
pub async fn page(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<SavedQuery>,
) -> Result<Response, PageError> {
    let venue = VenueId(id_of(&id)?);
    let mut page = plan_page(&app, &staff, venue, None).await?;
    page.saved = query.saved == "1";
    Ok(html(StatusCode::OK, &page))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct SavedQuery {
    saved: String,
}

/// `POST /admin/venues/{id}/price-plan`: the plan replaced whole, back to it.
pub async fn save(
    State(app): State<App>,
    staff: Staff<Manager>,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    let venue = VenueId(id_of(&id)?);
    back_office::venue(&app, &staff.staff, venue).await?;
    let mut typed = PlanForm::parse(&body);
    let errors = match typed.input() {
        Err(errors) => errors,
        Ok(input) => {
            let actor = by(&app, &staff.staff, "price_plan.update", plan_json);
            match price_plans::put_plan(&app, &staff.staff, venue, input, actor).await {
                Ok(_) => {
                    return Ok(Redirect::to(&format!(
                        "/admin/venues/{}/price-plan?saved=1",
                        venue.0
                    ))
                    .into_response())
                }
                Err(error) => typed.refused(error)?,
            }
        }
    };
    let mut page = plan_page(&app, &staff, venue, Some(typed)).await?;
    page.errors = errors;
    Ok(html(StatusCode::BAD_REQUEST, &page))
}

#[derive(Template)]
#[template(path = "admin/price_plans.html")]
struct PlansPage {
    shell: Shell,
    venues: Vec<PlanRow>,
}

struct PlanRow {
    id: i64,
    name: String,
    /// "EUR · 2 ticket types · 4 rules", or `None` without a plan.
    summary: Option<String>,
}

/// `GET /admin/price-plans`: the venues one runs, each with its plan in brief.
pub async fn list(State(app): State<App>, staff: Staff<Manager>) -> Result<Response, PageError> {
    let mut venues = Vec::new();
    for venue in back_office::list_venues(&app, &staff.staff).await? {
        let summary = match price_plans::venue_plan(&app, &staff.staff, venue.id).await {
            Ok(plan) => Some(format!(
                "{} · {} ticket type{} · {} rule{}",
                plan.currency(),
                plan.ticket_types().len(),
                if plan.ticket_types().len() == 1 {
                    ""
                } else {
                    "s"
                },
                plan.rules().len(),
                if plan.rules().len() == 1 { "" } else { "s" },
            )),
            Err(AppError::NotFound(Entity::PricePlan)) => None,
            Err(other) => return Err(other.into()),
        };
        venues.push(PlanRow {
            id: venue.id.0,
            name: venue.name,
            summary,
        });
    }
    let page = PlansPage {
        shell: Shell::staff(&staff.signed_in, &staff.staff, "/admin/price-plans"),
        venues,
    };
    Ok(html(StatusCode::OK, &page))
}
