//! The staff extractors: one per role, the one place a role is checked. A handler that takes
//! `Staff<Manager>` runs only for a manager or an owner who has the second factor the node
//! asks for; anyone else is answered before it runs: 401 without a login, 403 for a customer
//! or a role too low. Venues are checked by the services (`StaffUser::venue`): 404.

use super::error::ApiError;
use super::extract::AuthUser;
use crate::app::App;
use crate::staff::StaffUser;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use marquee_domain::StaffRole;
use std::marker::PhantomData;

/// The least role a route needs.
pub trait Gate: Send + Sync + 'static {
    const ROLE: StaffRole;
}

/// Everything: staff, cities, new venues.
pub struct Owner;
/// A venue's halls, schedule, prices; the films.
pub struct Manager;
/// Sales at the counter, the day's figures.
pub struct BoxOffice;
/// Checking tickets in.
pub struct Usher;

impl Gate for Owner {
    const ROLE: StaffRole = StaffRole::Owner;
}
impl Gate for Manager {
    const ROLE: StaffRole = StaffRole::Manager;
}
impl Gate for BoxOffice {
    const ROLE: StaffRole = StaffRole::BoxOffice;
}
impl Gate for Usher {
    const ROLE: StaffRole = StaffRole::Usher;
}

/// A member of staff whose role is at least `G`'s.
pub struct Staff<G: Gate> {
    pub staff: StaffUser,
    gate: PhantomData<G>,
}

impl<G: Gate> std::ops::Deref for Staff<G> {
    type Target = StaffUser;

    fn deref(&self) -> &StaffUser {
        &self.staff
    }
}

impl<G: Gate> FromRequestParts<App> for Staff<G> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let auth = AuthUser::from_request_parts(parts, app).await?;
        let staff = StaffUser::of(app, auth.user, G::ROLE).await?;
        Ok(Staff {
            staff,
            gate: PhantomData,
        })
    }
}
