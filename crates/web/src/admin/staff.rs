//! `/admin/staff` (owners): who works here, an invitation to join (its link mailed to the
//! invitee and shown once, on the answer to the form: only its hash is kept with the
//! invitation), and removing a member (their sessions end everywhere). The rules are
//! `staff::invite` and `staff::remove`.

use super::id_of;
use crate::form::FieldErrors;
use crate::page::{html, PageError};
use crate::session::Staff;
use crate::shell::Shell;
use askama::Template;
use axum::extract::{Path, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use marquee_domain::{Entity, StaffRole, UserId, VenueId};
use marquee_server::error::{AppError, ErrorCode};
use marquee_server::http::staff::Owner;
use marquee_server::{back_office, staff, App};

#[derive(Template)]
#[template(path = "admin/staff.html")]
struct StaffPage {
    shell: Shell,
    csrf: String,
    me: i64,
    members: Vec<MemberRow>,
    venues: Vec<(i64, String)>,
    roles: Vec<(&'static str, String)>,
    invite: InviteForm,
    errors: FieldErrors,
    /// The link of the invitation just made, shown this once.
    link: Option<InvitationView>,
}

struct MemberRow {
    id: i64,
    email: String,
    role: String,
    venues: String,
    enrolled: bool,
}

struct InvitationView {
    email: String,
    url: String,
    expires: String,
}

/// The invitation form as typed: venues are checkboxes, so a field repeats.
#[derive(Default)]
pub struct InviteForm {
    email: String,
    role: String,
    venues: Vec<i64>,
}

impl InviteForm {
    fn parse(body: &[u8]) -> InviteForm {
        let mut form = InviteForm::default();
        for (name, value) in form_urlencoded::parse(body) {
            match &*name {
                "email" => form.email = value.into_owned(),
                "role" => form.role = value.into_owned(),
                "venue_ids" => form.venues.extend(value.parse::<i64>().ok()),
                _ => {}
            }
        }
        form
    }

    fn has_venue(&self, id: &i64) -> bool {
        self.venues.contains(id)
    }
}

async fn staff_page(
    app: &App,
    owner: &Staff<Owner>,
    invite: InviteForm,
    errors: FieldErrors,
    link: Option<InvitationView>,
) -> Result<StaffPage, PageError> {
    let venues = back_office::list_venues(app, &owner.staff).await?;
    let venue_names = |ids: &[VenueId]| {
        ids.iter()
            .filter_map(|id| venues.iter().find(|v| v.id == *id))
            .map(|v| v.name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let members = app
        .store()
        .list_staff(None)
        .await?
        .into_iter()
        .map(|m| MemberRow {
            id: m.user.id.0,
            email: m.user.email.to_string(),
            role: m.access.role.as_str().replace('_', " "),
            venues: if m.access.role == StaffRole::Owner {
                "All".into()
            } else {
                venue_names(&m.access.venues)
            },
            enrolled: m.totp_enabled_at.is_some(),
        })
        .collect();
    Ok(StaffPage {
        shell: Shell::staff(&owner.signed_in, &owner.staff, "/admin/staff"),
        csrf: owner.signed_in.csrf.clone(),
        me: owner.staff.user.id.0,
        members,
        venues: venues.iter().map(|v| (v.id.0, v.name.clone())).collect(),
        roles: StaffRole::ALL
            .iter()
            .map(|r| (r.as_str(), r.as_str().replace('_', " ")))
            .collect(),
        invite,
        errors,
        link,
    })
}

/// `GET /admin/staff`.
pub async fn list(State(app): State<App>, owner: Staff<Owner>) -> Result<Response, PageError> {
    let invite = InviteForm {
        role: "manager".into(),
        ..InviteForm::default()
    };
    let page = staff_page(&app, &owner, invite, FieldErrors::default(), None).await?;
    Ok(html(StatusCode::OK, &page))
}

/// `POST /admin/staff`: an invitation, its link shown once on the page that answers.
pub async fn invite(
    State(app): State<App>,
    owner: Staff<Owner>,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    let typed = InviteForm::parse(&body);
    let venues = typed.venues.iter().map(|&id| VenueId(id)).collect();
    match staff::invite(&app, &owner.staff, &typed.email, &typed.role, venues).await {
        Ok(link) => {
            let shown = InvitationView {
                email: typed.email.trim().to_lowercase(),
                url: link.url,
                expires: link.expires_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            };
            let fresh = InviteForm {
                role: "manager".into(),
                ..InviteForm::default()
            };
            let page = staff_page(&app, &owner, fresh, FieldErrors::default(), Some(shown)).await?;
            Ok(html(StatusCode::OK, &page))
        }
        Err(error) => {
            let errors = match error {
                AppError::Invalid {
                    code: ErrorCode::InvalidEmail,
                    message,
                } => FieldErrors::one("email", &message),
                AppError::NotFound(Entity::Venue) => {
                    FieldErrors::one("venue_ids", "Choose venues from the list.")
                }
                AppError::Invalid { ref message, .. } if message.starts_with("a ") => {
                    // "a manager works at one or more venues", "an owner runs every venue".
                    FieldErrors::one("venue_ids", message)
                }
                other => FieldErrors::from_refusal(other, &["email", "role", "venue_ids"])?,
            };
            let page = staff_page(&app, &owner, typed, errors, None).await?;
            Ok(html(StatusCode::BAD_REQUEST, &page))
        }
    }
}

/// `POST /admin/staff/{user}/remove`: the member removed, back to the list.
pub async fn remove(
    State(app): State<App>,
    owner: Staff<Owner>,
    Path(user): Path<String>,
) -> Result<Response, PageError> {
    let user = UserId(id_of(&user)?);
    staff::remove(&app, &owner.staff, user).await?;
    Ok(Redirect::to("/admin/staff").into_response())
}
