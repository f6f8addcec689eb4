//! The schedule as staff make it: a venue's price plan, showtimes one at a time and many at
//! once, priced by the plan and refused whole when any would clash in its hall.

use crate::both_backends;
use crate::helpers::TestApp;
use axum::http::{Method, StatusCode};
use marquee_domain::StaffRole;
use serde_json::{json, Value};

both_backends!(a_manager_replaces_the_price_plan_and_a_wrong_one_names_its_fault,);

/// Adult and child, cheaper before 17:00 on weekdays; every seat category priced.
pub fn plan() -> Value {
    json!({
        "currency": "EUR",
        "booking_fee_minor": 50,
        "ticket_types": [
            { "code": "adult", "name": "Adult" },
            { "code": "child", "name": "Child" }
        ],
        "rules": [
            { "ticket_type": "adult", "weekdays": ["mon", "tue", "wed", "thu", "fri"],
              "until": "17:00", "price_minor": 800 },
            { "ticket_type": "adult", "category": "premium", "price_minor": 1400 },
            { "ticket_type": "adult", "price_minor": 1000 },
            { "ticket_type": "child", "price_minor": 600 }
        ]
    })
}

fn plan_path(app: &TestApp) -> String {
    format!("/api/v1/admin/venues/{}/price-plan", app.world.venue.id.0)
}

async fn manager(app: &TestApp) -> String {
    app.staff("max@example.com", StaffRole::Manager, &[app.world.venue.id])
        .await
        .0
}

async fn a_manager_replaces_the_price_plan_and_a_wrong_one_names_its_fault(app: TestApp) {
    let manager = manager(&app).await;
    let path = plan_path(&app);
    let none = app.get(&path, Some(&manager)).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    assert_eq!(none.code(), "price_plan_not_found");

    let put = app
        .request(Method::PUT, &path, Some(&manager), Some(plan()))
        .await;
    assert_eq!(put.status, StatusCode::OK, "{:?}", put.body);
    let read = app.get(&path, Some(&manager)).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body["rules"][0]["until"], "17:00");
    assert_eq!(read.body["rules"][0]["weekdays"][4], "fri");
    assert_eq!(read.body["rules"][1]["category"], "premium");
    assert_eq!(read.body["ticket_types"][1]["name"], "Child");
    assert_eq!(read.body["booking_fee_minor"], 50);

    // Each fault is named, and nothing changes.
    for (change, named) in [
        (json!({ "currency": "EURO" }), "currency"),
        (
            json!({ "rules": [{ "ticket_type": "senior", "price_minor": 1 }] }),
            "senior",
        ),
        (
            json!({ "rules": [{ "ticket_type": "adult", "weekdays": ["monday"], "price_minor": 1 }] }),
            "rule 1 weekdays",
        ),
        (
            json!({ "rules": [{ "ticket_type": "adult", "from": "18:00", "until": "17:00",
                                "price_minor": 1 }] }),
            "rule 1: from must be before until",
        ),
        (json!({ "ticket_types": [] }), "ticket types"),
    ] {
        let mut wrong = plan();
        for (key, value) in change.as_object().unwrap() {
            wrong[key] = value.clone();
        }
        let refused = app
            .request(Method::PUT, &path, Some(&manager), Some(wrong))
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{change}");
        assert_eq!(refused.code(), "invalid_request", "{change}");
        let message = refused.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(named), "{change}: {message}");
    }
    assert_eq!(app.get(&path, Some(&manager)).await.body, read.body);

    // The change is audited with the plan before and after.
    let mut cheaper = plan();
    cheaper["rules"][2]["price_minor"] = json!(900);
    let put = app
        .request(Method::PUT, &path, Some(&manager), Some(cheaper))
        .await;
    assert_eq!(put.status, StatusCode::OK);
    let audit = app.get("/api/v1/admin/audit", Some(&manager)).await;
    let entries = audit.body["entries"].as_array().unwrap();
    assert_eq!(entries[0]["action"], "price_plan.update");
    assert_eq!(entries[0]["before"]["rules"][2]["price_minor"], 1000);
    assert_eq!(entries[0]["after"]["rules"][2]["price_minor"], 900);
    assert_eq!(entries[1]["before"], Value::Null, "the venue's first plan");
}
