//! The demo's price plans: one per venue from its city's tariff, with four ticket types, a
//! weekday matinee price, premium seats, and 3D and IMAX surcharges, written as rules the way
//! a cinema manager would: the specific ones first.

use super::venues::Tariff;
use chrono::{NaiveTime, Weekday};
use marquee_domain::{Currency, PricePlan, PriceRule, PricingError, SeatCategory, TicketType};

/// Code, name, and the discount on the adult price in percent. Adult comes first: it is what
/// a booking that names no ticket type buys.
const TICKET_TYPES: [(&str, &str, i64); 4] = [
    ("adult", "Adult", 0),
    ("child", "Child", 35),
    ("senior", "Senior", 25),
    ("student", "Student", 20),
];

/// Off every ticket of a showtime starting before 17:00 Monday to Friday.
const MATINEE_DISCOUNT: i64 = 20;
const MATINEE_UNTIL: (u32, u32) = (17, 0);

/// `percent` off `minor`, rounded to the nearest ten minor units, as prices on a board are.
fn discounted(minor: i64, percent: i64) -> i64 {
    (minor * (100 - percent) + 500) / 1000 * 10
}

/// A venue's plan. For each type, in order: IMAX and 3D rules before the plain ones, the
/// matinee before the full price, premium seats before any seat. Wheelchair spaces and
/// companion seats cost what a standard seat does: nobody pays extra for access.
pub fn price_plan(currency: Currency, tariff: &Tariff) -> Result<PricePlan, PricingError> {
    let weekdays = vec![
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ];
    let matinee_until = NaiveTime::from_hms_opt(MATINEE_UNTIL.0, MATINEE_UNTIL.1, 0);
    let formats: [(Vec<String>, i64); 3] = [
        (vec!["IMAX".into()], tariff.imax_extra),
        (vec!["3D".into()], tariff.three_d_extra),
        (vec![], 0),
    ];
    let mut types = Vec::with_capacity(TICKET_TYPES.len());
    let mut rules = Vec::new();
    for (code, name, discount) in TICKET_TYPES {
        types.push(TicketType::new(code, name)?);
        for (format, extra) in &formats {
            for matinee in [true, false] {
                for (category, category_extra) in [
                    (Some(SeatCategory::Premium), tariff.premium_extra),
                    (None, 0),
                ] {
                    let full = discounted(tariff.standard + extra + category_extra, discount);
                    rules.push(PriceRule {
                        ticket_type: code.into(),
                        category,
                        formats: format.clone(),
                        weekdays: if matinee { weekdays.clone() } else { vec![] },
                        from: None,
                        until: if matinee { matinee_until } else { None },
                        price_minor: if matinee {
                            discounted(full, MATINEE_DISCOUNT)
                        } else {
                            full
                        },
                    });
                }
            }
        }
    }
    PricePlan::new(currency, tariff.booking_fee, types, rules)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn tariff() -> Tariff {
        Tariff {
            standard: 1250,
            premium_extra: 400,
            three_d_extra: 200,
            imax_extra: 650,
            booking_fee: 75,
        }
    }

    #[test]
    fn the_demo_plan_prices_types_dayparts_formats_and_seats() {
        let plan = price_plan(Currency::parse("GBP").unwrap(), &tariff()).unwrap();
        let friday = NaiveDate::from_ymd_opt(2026, 12, 11).unwrap();
        let saturday = NaiveDate::from_ymd_opt(2026, 12, 12).unwrap();
        let price = |date: NaiveDate, hour, format, ticket, category| {
            plan.resolve(
                date.and_hms_opt(hour, 0, 0).unwrap(),
                format,
                &[SeatCategory::Standard, SeatCategory::Premium],
            )
            .unwrap()
            .price_of(ticket, category)
            .unwrap()
            .minor
        };
        use SeatCategory::{Premium, Standard};
        assert_eq!(price(saturday, 14, "2D", "adult", Standard), 1250);
        assert_eq!(price(friday, 20, "2D", "adult", Standard), 1250);
        assert_eq!(price(friday, 14, "2D", "adult", Standard), 1000);
        assert_eq!(price(saturday, 20, "2D", "adult", Premium), 1650);
        assert_eq!(price(saturday, 20, "3D", "adult", Standard), 1450);
        assert_eq!(price(saturday, 20, "IMAX", "adult", Premium), 2300);
        // Child: 35% off 1250 is 812.5, shown as 810.
        assert_eq!(price(saturday, 20, "2D", "child", Standard), 810);
        assert_eq!(price(friday, 14, "2D", "child", Standard), 650);
        assert_eq!(
            plan.ticket_types()
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>(),
            ["Adult", "Child", "Senior", "Student"]
        );
    }
}
