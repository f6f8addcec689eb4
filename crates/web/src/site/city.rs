//! The city a visitor browses: the one they chose (`?city=` on the home page's or a film's
//! form, then remembered in a cookie for a year), else the first city, or the only one.

use crate::page::PageError;
use crate::session::{self, Cookies};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use marquee_domain::City;
use marquee_server::{whats_on, App};
use std::sync::Arc;

/// How long the choice of a city is remembered.
const REMEMBERED_FOR: chrono::Duration = chrono::Duration::days(365);

pub struct Chosen {
    pub city: City,
    /// Every city, by name: the choice the form offers.
    pub cities: Arc<Vec<City>>,
    /// The `Set-Cookie` that remembers a city just chosen.
    pub remember: Option<HeaderValue>,
}

/// The city to show: `asked` (a city's id from the form) when given, which is then
/// remembered; else the remembered one; else the first. `None` when there are no cities yet.
/// A city asked for that does not exist is the 404 page.
pub async fn chosen(
    app: &App,
    headers: &HeaderMap,
    asked: Option<&str>,
) -> Result<Option<Chosen>, PageError> {
    let cities = whats_on::cities(app).await?;
    let by_id = |id: &str| {
        let id: i64 = id.trim().parse().ok()?;
        cities.iter().find(|c| c.id.0 == id).cloned()
    };
    let cookies = Cookies::of(app);
    if let Some(asked) = asked.filter(|a| !a.trim().is_empty()) {
        let city = by_id(asked).ok_or(PageError::Status(
            StatusCode::NOT_FOUND,
            "There is no such city.",
        ))?;
        let remember = cookies.set(cookies.city, &city.id.0.to_string(), Some(REMEMBERED_FOR));
        return Ok(Some(Chosen {
            city,
            cities,
            remember: Some(remember),
        }));
    }
    let remembered = session::read(headers, cookies.city).and_then(|id| by_id(&id));
    Ok(remembered
        .or_else(|| cities.first().cloned())
        .map(|city| Chosen {
            city,
            cities,
            remember: None,
        }))
}

/// A city as the form's choice offers it.
pub struct CityOption {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

impl Chosen {
    pub fn options(&self) -> Vec<CityOption> {
        self.cities
            .iter()
            .map(|c| CityOption {
                id: c.id.0,
                name: c.name.clone(),
                selected: c.id == self.city.id,
            })
            .collect()
    }
}
