//! Prices as stored: a showtime's frozen prices (`showtimes.ticket_prices`) and a venue's price
//! plan (`venue_price_plans.plan`), each one JSON text, written and read here for both
//! backends.
//!
//! A JSON text rather than rows: the frozen table is read with the showtime's one row on the
//! hold path (no second query, no join), and a plan is edited and replaced whole. Both are
//! decoded through the domain's constructors, so a stored value is checked like a new one.

use crate::codec::category;
use crate::{StoreError, StoreResult};
use chrono::{NaiveTime, Weekday};
use marquee_domain::*;
use serde_json::{json, Value};

/// `{"types": [["adult", "Adult"], ...], "prices": [["adult", "standard", 900], ...]}`;
/// the currency and the booking fee are columns of their own.
pub fn showtime_prices_text(prices: &ShowtimePrices) -> String {
    let types: Vec<Value> = prices
        .ticket_types()
        .map(|t| json!([t.code, t.name]))
        .collect();
    let entries: Vec<Value> = prices
        .entries()
        .iter()
        .map(|(code, category, minor)| json!([code, category.as_str(), minor]))
        .collect();
    json!({ "types": types, "prices": entries }).to_string()
}

/// A showtime's frozen prices from its columns: the JSON table when there is one, else the
/// one type of a showtime priced before ticket types, at the price columns.
pub fn showtime_prices(
    currency: Currency,
    booking_fee_minor: i64,
    table: Option<&str>,
    default_prices: PriceList,
) -> StoreResult<ShowtimePrices> {
    let Some(table) = table else {
        return ShowtimePrices::single_type(&default_prices, booking_fee_minor)
            .map_err(StoreError::corrupt);
    };
    let doc: Value = serde_json::from_str(table).map_err(StoreError::corrupt)?;
    let types = array(&doc["types"], "ticket types")?
        .iter()
        .map(|t| {
            let [code, name] = tuple(t, "ticket type")?;
            TicketType::new(text(code, "type code")?, text(name, "type name")?)
                .map_err(StoreError::corrupt)
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let entries = array(&doc["prices"], "prices")?
        .iter()
        .map(|p| {
            let [code, cat, minor] = tuple(p, "price")?;
            Ok((
                text(code, "type code")?.to_string(),
                category(text(cat, "category")?)?,
                integer(minor, "price")?,
            ))
        })
        .collect::<StoreResult<Vec<_>>>()?;
    ShowtimePrices::new(currency, booking_fee_minor, types, entries).map_err(StoreError::corrupt)
}

/// A price plan as one document:
/// `{"currency": "EUR", "booking_fee_minor": 50, "ticket_types": [{"code", "name"}],
///   "rules": [{"ticket_type", "category"?, "formats", "weekdays": ["mon"], "from"?, "until"?,
///   "price_minor"}]}`.
pub fn price_plan_text(plan: &PricePlan) -> String {
    let types: Vec<Value> = plan
        .ticket_types()
        .iter()
        .map(|t| json!({ "code": t.code, "name": t.name }))
        .collect();
    let rules: Vec<Value> = plan
        .rules()
        .iter()
        .map(|r| {
            json!({
                "ticket_type": r.ticket_type,
                "category": r.category.map(SeatCategory::as_str),
                "formats": r.formats,
                "weekdays": r.weekdays.iter().map(|d| weekday_name(*d)).collect::<Vec<_>>(),
                "from": r.from.map(|t| t.format("%H:%M").to_string()),
                "until": r.until.map(|t| t.format("%H:%M").to_string()),
                "price_minor": r.price_minor,
            })
        })
        .collect();
    json!({
        "currency": plan.currency().as_str(),
        "booking_fee_minor": plan.booking_fee_minor(),
        "ticket_types": types,
        "rules": rules,
    })
    .to_string()
}

pub fn price_plan(stored: &str) -> StoreResult<PricePlan> {
    let doc: Value = serde_json::from_str(stored).map_err(StoreError::corrupt)?;
    let currency = crate::codec::currency(text(&doc["currency"], "currency")?)?;
    let fee = integer(&doc["booking_fee_minor"], "booking fee")?;
    let types = array(&doc["ticket_types"], "ticket types")?
        .iter()
        .map(|t| {
            TicketType::new(
                text(&t["code"], "type code")?,
                text(&t["name"], "type name")?,
            )
            .map_err(StoreError::corrupt)
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let rules = array(&doc["rules"], "rules")?
        .iter()
        .map(rule)
        .collect::<StoreResult<Vec<_>>>()?;
    PricePlan::new(currency, fee, types, rules).map_err(StoreError::corrupt)
}

fn rule(doc: &Value) -> StoreResult<PriceRule> {
    let optional = |key: &str| match &doc[key] {
        Value::Null => Ok(None),
        other => text(other, key).map(Some),
    };
    let time = |key: &str| {
        optional(key)?
            .map(|t| {
                NaiveTime::parse_from_str(t, "%H:%M")
                    .map_err(|_| StoreError::corrupt(format!("rule time {t:?}")))
            })
            .transpose()
    };
    Ok(PriceRule {
        ticket_type: text(&doc["ticket_type"], "rule type")?.to_string(),
        category: optional("category")?.map(category).transpose()?,
        formats: array(&doc["formats"], "formats")?
            .iter()
            .map(|f| text(f, "format").map(str::to_string))
            .collect::<StoreResult<_>>()?,
        weekdays: array(&doc["weekdays"], "weekdays")?
            .iter()
            .map(|d| {
                let name = text(d, "weekday")?;
                name.parse::<Weekday>()
                    .map_err(|_| StoreError::corrupt(format!("weekday {name:?}")))
            })
            .collect::<StoreResult<_>>()?,
        from: time("from")?,
        until: time("until")?,
        price_minor: integer(&doc["price_minor"], "price")?,
    })
}

/// `mon`, `tue`, ... as the admin API writes them.
pub fn weekday_name(day: Weekday) -> String {
    day.to_string().to_ascii_lowercase()
}

fn array<'a>(value: &'a Value, what: &str) -> StoreResult<&'a Vec<Value>> {
    value
        .as_array()
        .ok_or_else(|| StoreError::corrupt(format!("{what}: not a list")))
}

fn tuple<'a, const N: usize>(value: &'a Value, what: &str) -> StoreResult<[&'a Value; N]> {
    let items: Vec<&Value> = array(value, what)?.iter().collect();
    items
        .try_into()
        .map_err(|_| StoreError::corrupt(format!("{what}: not {N} items")))
}

fn text<'a>(value: &'a Value, what: &str) -> StoreResult<&'a str> {
    value
        .as_str()
        .ok_or_else(|| StoreError::corrupt(format!("{what}: not a text")))
}

fn integer(value: &Value, what: &str) -> StoreResult<i64> {
    value
        .as_i64()
        .ok_or_else(|| StoreError::corrupt(format!("{what}: not an integer")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    fn types() -> Vec<TicketType> {
        vec![
            TicketType::new("adult", "Adult").unwrap(),
            TicketType::new("child", "Child \"under 12\"").unwrap(),
        ]
    }

    #[test]
    fn frozen_prices_read_back_as_written() {
        let prices = ShowtimePrices::new(
            eur(),
            75,
            types(),
            vec![
                ("adult".into(), SeatCategory::Standard, 1000),
                ("child".into(), SeatCategory::Standard, 600),
                ("child".into(), SeatCategory::Premium, 800),
            ],
        )
        .unwrap();
        let text = showtime_prices_text(&prices);
        let list = prices.price_list();
        assert_eq!(
            showtime_prices(eur(), 75, Some(&text), list.clone()).unwrap(),
            prices
        );
        // A showtime priced before ticket types has one type at its price columns.
        let old = showtime_prices(eur(), 75, None, list.clone()).unwrap();
        assert_eq!(old.default_type().code, "adult");
        assert_eq!(old.price_list(), list);
        assert!(showtime_prices(eur(), 0, Some("{\"types\": []}"), list).is_err());
    }

    #[test]
    fn a_price_plan_reads_back_as_written() {
        let rule = PriceRule {
            ticket_type: "child".into(),
            category: Some(SeatCategory::Premium),
            formats: vec!["3D".into(), "IMAX".into()],
            weekdays: vec![Weekday::Mon, Weekday::Sun],
            from: NaiveTime::from_hms_opt(10, 30, 0),
            until: NaiveTime::from_hms_opt(17, 0, 0),
            price_minor: 650,
        };
        let any = PriceRule::any("adult", 1000);
        let plan = PricePlan::new(eur(), 50, types(), vec![rule, any]).unwrap();
        let text = price_plan_text(&plan);
        assert!(text.contains("\"weekdays\":[\"mon\",\"sun\"]"), "{text}");
        assert!(text.contains("\"from\":\"10:30\""), "{text}");
        assert_eq!(price_plan(&text).unwrap(), plan);
        assert!(price_plan("{}").is_err());
    }
}
