//! Staff: the second factor at login, enrolling an authenticator, invitations to join, and
//! what a member of staff may reach (`StaffUser`). Roles are checked once, by the extractors
//! in `http::staff`; venues by the services, through `StaffUser::venue`.

use crate::app::App;
use crate::config::StaffMfa;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::totp;
use chrono::{DateTime, Utc};
use marquee_domain::staff::{Denied, INVITATION_LIFETIME};
use marquee_domain::{Email, Entity, Password, StaffAccess, StaffRole, UserId, VenueId};
use marquee_store::{Joining, NewInvitation, StaffMember, User};

/// A member of staff making a request, with what they may reach.
#[derive(Debug, Clone)]
pub struct StaffUser {
    pub user: User,
    pub access: StaffAccess,
}

impl StaffUser {
    /// The staff member behind `user`, if they may act as `needs` now: `Forbidden` for a
    /// customer or a role too low, `TotpEnrolmentRequired` while enrolment is owed.
    pub async fn of(app: &App, user: User, needs: StaffRole) -> AppResult<StaffUser> {
        let member = app
            .store()
            .staff_member(user.id)
            .await?
            .ok_or_else(|| AppError::Forbidden("this is for staff only".into()))?;
        if member.totp_enabled_at.is_none() && app.config().staff_mfa == StaffMfa::Required {
            return Err(AppError::TotpEnrolmentRequired);
        }
        let staff = StaffUser {
            user,
            access: member.access,
        };
        staff
            .access
            .require(needs)
            .map_err(|d| denied(d, Entity::Venue))?;
        Ok(staff)
    }

    /// Whether they may act on `venue` (whose `entity` they asked for): another venue's
    /// things answer 404, as if they did not exist.
    pub fn venue(&self, venue: VenueId, entity: Entity) -> AppResult<()> {
        if self.access.sees_venue(venue) {
            Ok(())
        } else {
            Err(denied(Denied::Venue, entity))
        }
    }

    /// The venues a listing is limited to; `None` for an owner.
    pub fn venue_filter(&self) -> Option<Vec<VenueId>> {
        self.access.venue_filter().map(<[VenueId]>::to_vec)
    }
}

fn denied(denied: Denied, entity: Entity) -> AppError {
    match denied {
        Denied::Role { needs } => AppError::Forbidden(format!("this needs the {needs} role")),
        Denied::Venue => AppError::NotFound(entity),
    }
}

/// How long a login of `user` lasts, and the second factor it owes: a member of staff with an
/// authenticator gives its code (`typed`), or one of their recovery codes. Called once the
/// password matched.
pub async fn second_factor(
    app: &App,
    user: &User,
    typed: Option<&str>,
) -> AppResult<chrono::Duration> {
    let Some(member) = app.store().staff_member(user.id).await? else {
        return Ok(app.config().session_ttl);
    };
    let (Some(_), Some(secret)) = (member.totp_enabled_at, &member.totp_secret) else {
        // Not enrolled yet: the session may enrol, and (if enrolment is required) nothing else.
        return Ok(app.config().staff_session_ttl);
    };
    let typed = typed.ok_or(AppError::TotpRequired)?;
    let taken = if totp::is_recovery_code(typed) {
        app.store()
            .use_recovery_code(user.id, &totp::recovery_code_hash(typed), app.now())
            .await?
    } else {
        match totp::matching_step(secret, user.email.as_str(), typed, app.now())? {
            Some(step) => app.store().take_totp_step(user.id, step).await?,
            None => false,
        }
    };
    if !taken {
        return Err(AppError::InvalidTotp);
    }
    Ok(app.config().staff_session_ttl)
}

/// An authenticator to enrol: the secret, the URI an app scans, and that URI as a QR code.
pub struct Enrolment {
    pub secret: marquee_store::TotpSecret,
    pub otpauth_uri: String,
    pub qr_svg: String,
}

/// Starts enrolling an authenticator for `user`. An account with one enrolled is refused: a
/// stolen session must not swap the factor. A member who lost theirs and their recovery codes
/// is removed and invited again by an owner.
pub async fn start_enrolment(app: &App, user: &User) -> AppResult<Enrolment> {
    let member = member_of(app, user.id).await?;
    if member.totp_enabled_at.is_some() {
        return Err(AppError::invalid(
            ErrorCode::Duplicate,
            "an authenticator is enrolled already",
        ));
    }
    let secret = totp::new_secret()?;
    app.store().start_totp(user.id, &secret).await?;
    enrolment_of(secret, user)
}

/// The enrolment `user` has started and not confirmed yet, else a new one: a page shown
/// again (a reload, a wrong code) keeps the secret the app may have scanned already.
pub async fn pending_or_new_enrolment(app: &App, user: &User) -> AppResult<Enrolment> {
    let member = member_of(app, user.id).await?;
    match (member.totp_secret, member.totp_enabled_at) {
        (Some(secret), None) => enrolment_of(secret, user),
        _ => start_enrolment(app, user).await,
    }
}

fn enrolment_of(secret: marquee_store::TotpSecret, user: &User) -> AppResult<Enrolment> {
    let otpauth_uri = totp::otpauth_uri(&secret, user.email.as_str())?;
    let qr_svg = crate::qr::svg(&otpauth_uri)?;
    Ok(Enrolment {
        secret,
        otpauth_uri,
        qr_svg,
    })
}

/// Confirms an enrolment with a code from the app; answers the recovery codes, shown once.
pub async fn confirm_enrolment(app: &App, user: &User, code: &str) -> AppResult<Vec<String>> {
    let member = member_of(app, user.id).await?;
    let secret = match (&member.totp_secret, member.totp_enabled_at) {
        (Some(secret), None) => secret,
        (_, Some(_)) => {
            return Err(AppError::invalid(
                ErrorCode::Duplicate,
                "an authenticator is enrolled already",
            ))
        }
        (None, None) => {
            return Err(AppError::invalid(
                ErrorCode::InvalidRequest,
                "start an enrolment first: POST /api/v1/me/totp",
            ))
        }
    };
    let step = totp::matching_step(secret, user.email.as_str(), code, app.now())?
        .ok_or(AppError::InvalidTotp)?;
    let (codes, hashes) = totp::new_recovery_codes();
    if !app
        .store()
        .enable_totp(user.id, secret, step, &hashes, app.now())
        .await?
    {
        return Err(AppError::InvalidTotp);
    }
    Ok(codes)
}

async fn member_of(app: &App, user: UserId) -> AppResult<StaffMember> {
    app.store()
        .staff_member(user)
        .await?
        .ok_or_else(|| AppError::Forbidden("this is for staff only".into()))
}

/// The invitation's link: mailed to the invitee (outbox `staff_invitation`) and answered to the
/// inviting owner too, who can pass it on by hand.
pub struct InvitationLink {
    pub url: String,
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Invites `email` to join the staff with `role` at `venue_ids`.
pub async fn invite(
    app: &App,
    owner: &StaffUser,
    email: &str,
    role: &str,
    venue_ids: Vec<VenueId>,
) -> AppResult<InvitationLink> {
    let email = Email::parse(email)
        .map_err(|e| AppError::invalid(ErrorCode::InvalidEmail, e.to_string()))?;
    let role = StaffRole::parse(role).ok_or_else(|| {
        AppError::invalid(
            ErrorCode::InvalidRequest,
            "role is one of owner, manager, box_office, usher",
        )
    })?;
    let access = StaffAccess::new(role, venue_ids)
        .map_err(|e| AppError::invalid(ErrorCode::InvalidRequest, e.to_string()))?;
    let token = crate::accounts::link_token();
    let now = app.now();
    let expires_at = now + INVITATION_LIFETIME;
    let url = format!("{}/admin/join/{token}", app.config().public_url);
    let message = serde_json::json!({
        "to": email.as_str(),
        "link": url,
        "role": access.role.as_str(),
        "expires_at": expires_at,
    })
    .to_string();
    app.store()
        .invite_staff(&NewInvitation {
            token_hash: crate::accounts::token_hash(&token),
            email,
            access,
            invited_by: owner.user.id,
            now,
            expires_at,
            message,
        })
        .await?;
    Ok(InvitationLink {
        url,
        token,
        expires_at,
    })
}

/// The invitation behind `token`, while it can still be taken up (else 404).
pub async fn invitation(app: &App, token: &str) -> AppResult<marquee_store::Invitation> {
    if token.len() > 128 {
        return Err(AppError::NotFound(Entity::Invitation));
    }
    app.store()
        .staff_invitation(&crate::accounts::token_hash(token.trim()), app.now())
        .await?
        .ok_or(AppError::NotFound(Entity::Invitation))
}

/// Takes up an invitation with a password: a new account's, or (when the email has an
/// account) that account's own, which proves it is theirs. The invitee then logs in and
/// enrols an authenticator.
pub async fn accept(app: &App, token: &str, password: &str) -> AppResult<StaffMember> {
    crate::accounts::check_not_too_long(password)?;
    let invitation = invitation(app, token).await?;
    let hash = crate::accounts::token_hash(token.trim());
    let now = app.now();
    let joining = match app.store().find_user_by_email(&invitation.email).await? {
        Some(existing) => {
            // The password is the account's: guessing it here is throttled as at the login.
            crate::accounts::refuse_if_throttled(app, invitation.email.as_str())?;
            let matches = app
                .password_hashers()
                .verify(password.to_string(), existing.password_hash)
                .await?;
            if !matches {
                app.login_throttle()
                    .failed(invitation.email.as_str(), app.now());
                return Err(AppError::InvalidCredentials);
            }
            Joining::Existing(existing.user.id)
        }
        None => {
            let password = Password::parse(password)
                .map_err(|e| AppError::invalid(ErrorCode::InvalidPassword, e.to_string()))?;
            Joining::NewAccount {
                password_hash: app.password_hashers().hash(password).await?,
            }
        }
    };
    app.store()
        .join_staff(&hash, joining, now)
        .await?
        .ok_or(AppError::NotFound(Entity::Invitation))
}

/// Ends a member's place on the staff, and their sessions everywhere.
pub async fn remove(app: &App, owner: &StaffUser, user: UserId) -> AppResult<()> {
    if user == owner.user.id {
        return Err(AppError::invalid(
            ErrorCode::InvalidRequest,
            "an owner cannot remove themselves",
        ));
    }
    if !app
        .store()
        .remove_staff(user, owner.user.id, app.now())
        .await?
    {
        return Err(AppError::NotFound(Entity::User));
    }
    app.sessions().forget_user(user, app.now());
    Ok(())
}
