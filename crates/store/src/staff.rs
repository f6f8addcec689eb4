//! Staff: who runs the place, their venues, their second factor and the invitations that
//! bring them in, in the SQL both backends share (see `sql`).
//!
//! Codes are checked by the caller; the store keeps what makes a code count once: the time
//! step of the last TOTP code taken (advanced with a conditional update, so two nodes cannot
//! both take one code) and recovery codes used at most once.

use crate::args;
use crate::audit::{self, Touched};
use crate::codec::{instant, millis};
use crate::rows::UserRow;
use crate::sql::Sql;
use crate::{statements, StoreError, StoreResult, User};
use chrono::{DateTime, Utc};
use marquee_domain::{Email, Role, StaffAccess, StaffRole, UserId, VenueId};

/// A member of staff: their account, what they may reach, and their second factor.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffMember {
    pub user: User,
    pub access: StaffAccess,
    /// When the authenticator was enrolled; until then a code cannot be asked for.
    pub totp_enabled_at: Option<DateTime<Utc>>,
    /// Set from the start of an enrolment. Never logged: `TotpSecret` hides it.
    pub totp_secret: Option<TotpSecret>,
    pub created_at: DateTime<Utc>,
}

/// A TOTP shared secret (base32), as the authenticator holds it. Its `Debug` hides it.
#[derive(Clone, PartialEq)]
pub struct TotpSecret(pub String);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(***)")
    }
}

#[derive(sqlx::FromRow)]
struct StaffRow {
    #[sqlx(flatten)]
    user: UserRow,
    role: String,
    venue_ids: Option<String>,
    totp_secret: Option<String>,
    totp_enabled_at: Option<i64>,
    staff_since: i64,
}

impl StaffRow {
    fn decode(self) -> StoreResult<StaffMember> {
        let role = staff_role(&self.role)?;
        let venues = venue_ids(self.venue_ids.as_deref().unwrap_or(""))?;
        Ok(StaffMember {
            user: self.user.decode()?.user,
            access: StaffAccess::new(role, venues).map_err(StoreError::corrupt)?,
            totp_enabled_at: self.totp_enabled_at.map(instant).transpose()?,
            totp_secret: self.totp_secret.map(TotpSecret),
            created_at: instant(self.staff_since)?,
        })
    }
}

fn staff_role(name: &str) -> StoreResult<StaffRole> {
    StaffRole::parse(name).ok_or_else(|| StoreError::corrupt(format!("staff role {name:?}")))
}

/// Venue ids as stored in a text column: `1,2,3`.
fn venue_ids(text: &str) -> StoreResult<Vec<VenueId>> {
    text.split(',')
        .filter(|id| !id.is_empty())
        .map(|id| {
            id.parse()
                .map(VenueId)
                .map_err(|_| StoreError::corrupt(format!("venue id {id:?}")))
        })
        .collect()
}

fn venue_ids_text(venues: &[VenueId]) -> String {
    let ids: Vec<String> = venues.iter().map(|v| v.0.to_string()).collect();
    ids.join(",")
}

const STAFF_COLUMNS: &str = "
    SELECT u.id, u.email, u.password_hash, u.roles, ms(u.created_at) AS created_at,
           s.role, s.totp_secret, ms(s.totp_enabled_at) AS totp_enabled_at,
           ms(s.created_at) AS staff_since,
           (SELECT string_agg(CAST(v.venue_id AS TEXT), ',' ORDER BY v.venue_id)
              FROM staff_venues v WHERE v.user_id = s.user_id) AS venue_ids
    FROM staff s JOIN users u ON u.id = s.user_id";

pub async fn member(on: &mut impl Sql, user: UserId) -> StoreResult<Option<StaffMember>> {
    on.fetch_optional::<StaffRow>(
        &format!("{STAFF_COLUMNS} WHERE s.user_id = $1"),
        args![user.0],
    )
    .await?
    .map(StaffRow::decode)
    .transpose()
}

/// Every member of staff, by email; or those who work at one of `venues`.
pub async fn list(on: &mut impl Sql, venues: Option<&[VenueId]>) -> StoreResult<Vec<StaffMember>> {
    let members = on
        .fetch_all::<StaffRow>(&format!("{STAFF_COLUMNS} ORDER BY u.email"), &[])
        .await?
        .into_iter()
        .map(StaffRow::decode)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(match venues {
        None => members,
        Some(venues) => members
            .into_iter()
            .filter(|m| m.access.venues.iter().any(|v| venues.contains(v)))
            .collect(),
    })
}

/// Makes `user` a member of staff with `access` (replacing what they had), in a write
/// transaction; the change is audited as `by`'s.
pub async fn set_access(
    tx: &mut impl Sql,
    user: UserId,
    access: &StaffAccess,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> StoreResult<StaffMember> {
    let before = member(tx, user).await?;
    tx.execute(
        "INSERT INTO staff (user_id, role, created_at) VALUES ($1, $2, ts($3))
         ON CONFLICT (user_id) DO UPDATE SET role = excluded.role",
        args![user.0, access.role.as_str(), millis(now)],
    )
    .await
    .map_err(|e| {
        if e.is_foreign_key_violation() {
            StoreError::NotFound(marquee_domain::Entity::User)
        } else {
            e
        }
    })?;
    tx.execute("DELETE FROM staff_venues WHERE user_id = $1", args![user.0])
        .await?;
    for venue in &access.venues {
        tx.execute(
            "INSERT INTO staff_venues (user_id, venue_id) VALUES ($1, $2)",
            args![user.0, venue.0],
        )
        .await
        .map_err(|e| {
            if e.is_foreign_key_violation() {
                StoreError::NotFound(marquee_domain::Entity::Venue)
            } else {
                e
            }
        })?;
    }
    let after = member(tx, user)
        .await?
        .ok_or_else(|| StoreError::corrupt("staff written and not read back"))?;
    if let Some(by) = by {
        audit::record_json(
            tx,
            by,
            now,
            if before.is_some() {
                "staff.update"
            } else {
                "staff.add"
            },
            Touched {
                entity: "staff",
                id: Some(user.0),
                venue: None,
            },
            before.as_ref().map(access_json).as_deref(),
            Some(&access_json(&after)),
        )
        .await?;
    }
    Ok(after)
}

/// What the audit log keeps of a member of staff: never their secret.
fn access_json(member: &StaffMember) -> String {
    serde_json::json!({
        "user_id": member.user.id.0,
        "email": member.user.email.as_str(),
        "role": member.access.role.as_str(),
        "venue_ids": member.access.venues.iter().map(|v| v.0).collect::<Vec<_>>(),
    })
    .to_string()
}

/// Ends `user`'s membership of staff (and their sessions); whether they were staff.
pub async fn remove(
    tx: &mut impl Sql,
    user: UserId,
    by: UserId,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let Some(before) = member(tx, user).await? else {
        return Ok(false);
    };
    tx.execute("DELETE FROM staff WHERE user_id = $1", args![user.0])
        .await?;
    tx.execute("DELETE FROM sessions WHERE user_id = $1", args![user.0])
        .await?;
    audit::record_json(
        tx,
        by,
        now,
        "staff.remove",
        Touched {
            entity: "staff",
            id: Some(user.0),
            venue: None,
        },
        Some(&access_json(&before)),
        None,
    )
    .await?;
    Ok(true)
}

/// Starts (or starts again) an enrolment: a new secret, not yet in force; the old factor and
/// its recovery codes go.
pub async fn start_totp(tx: &mut impl Sql, user: UserId, secret: &TotpSecret) -> StoreResult<bool> {
    let changed = tx
        .execute(
            "UPDATE staff SET totp_secret = $2, totp_enabled_at = NULL, totp_last_step = NULL
             WHERE user_id = $1",
            args![user.0, secret.0.as_str()],
        )
        .await?;
    tx.execute(
        "DELETE FROM staff_recovery_codes WHERE user_id = $1",
        args![user.0],
    )
    .await?;
    Ok(changed == 1)
}

/// Puts the enrolment of `secret` in force, having seen a code of time step `step`, with
/// these recovery codes (hashed). False when the secret is no longer the one being enrolled.
pub async fn enable_totp(
    tx: &mut impl Sql,
    user: UserId,
    secret: &TotpSecret,
    step: i64,
    recovery_code_hashes: &[Vec<u8>],
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let changed = tx
        .execute(
            "UPDATE staff SET totp_enabled_at = ts($3), totp_last_step = $4
             WHERE user_id = $1 AND totp_secret = $2 AND totp_enabled_at IS NULL",
            args![user.0, secret.0.as_str(), millis(now), step],
        )
        .await?;
    if changed != 1 {
        return Ok(false);
    }
    for hash in recovery_code_hashes {
        tx.execute(
            "INSERT INTO staff_recovery_codes (user_id, code_hash) VALUES ($1, $2)",
            args![user.0, hash.as_slice()],
        )
        .await?;
    }
    Ok(true)
}

/// Takes a TOTP code of time step `step`: true when no code of this or a later step was taken
/// before (a code is good once, on every node).
pub async fn take_totp_step(on: &mut impl Sql, user: UserId, step: i64) -> StoreResult<bool> {
    let changed = on
        .execute(
            "UPDATE staff SET totp_last_step = $2
             WHERE user_id = $1 AND totp_enabled_at IS NOT NULL
               AND (totp_last_step IS NULL OR totp_last_step < $2)",
            args![user.0, step],
        )
        .await?;
    Ok(changed == 1)
}

/// Uses a recovery code (by its hash): true when it was one of `user`'s, unused until now.
pub async fn use_recovery_code(
    on: &mut impl Sql,
    user: UserId,
    code_hash: &[u8],
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let changed = on
        .execute(
            "UPDATE staff_recovery_codes SET used_at = ts($3)
             WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
            args![user.0, code_hash, millis(now)],
        )
        .await?;
    Ok(changed == 1)
}

/// The kind of the outbox message that carries an invitation's link to the invitee.
pub const INVITATION_MESSAGE_KIND: &str = "staff_invitation";

/// An invitation to join the staff, as the owner makes it. The token's SHA-256 is kept, never
/// the token. Its `Debug` leaves out the message, which holds the link, token and all.
#[derive(Clone)]
pub struct NewInvitation {
    pub token_hash: Vec<u8>,
    pub email: Email,
    pub access: StaffAccess,
    pub invited_by: UserId,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The outbox message's payload (JSON): the link, and whom it goes to.
    pub message: String,
}

impl std::fmt::Debug for NewInvitation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewInvitation")
            .field("email", &self.email)
            .field("access", &self.access)
            .field("invited_by", &self.invited_by)
            .field("now", &self.now)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Invitation {
    pub email: Email,
    pub access: StaffAccess,
    pub invited_by: UserId,
    pub expires_at: DateTime<Utc>,
}

/// Records the invitation, its audit entry and the outbox message that takes its link to the
/// invitee, in the caller's write transaction.
pub async fn invite(tx: &mut impl Sql, invitation: &NewInvitation) -> StoreResult<()> {
    for venue in &invitation.access.venues {
        let found: Vec<i64> = tx
            .fetch_column("SELECT id FROM venues WHERE id = $1", args![venue.0])
            .await?;
        if found.is_empty() {
            return Err(StoreError::NotFound(marquee_domain::Entity::Venue));
        }
    }
    tx.execute(
        "INSERT INTO staff_invitations (token_hash, email, role, venue_ids, invited_by,
                                        created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, ts($6), ts($7))",
        args![
            invitation.token_hash.as_slice(),
            invitation.email.as_str(),
            invitation.access.role.as_str(),
            venue_ids_text(&invitation.access.venues).as_str(),
            invitation.invited_by.0,
            millis(invitation.now),
            millis(invitation.expires_at)
        ],
    )
    .await?;
    audit::record_json(
        tx,
        invitation.invited_by,
        invitation.now,
        "staff.invite",
        Touched {
            entity: "invitation",
            id: None,
            venue: None,
        },
        None,
        Some(
            &serde_json::json!({
                "email": invitation.email.as_str(),
                "role": invitation.access.role.as_str(),
                "venue_ids": invitation.access.venues.iter().map(|v| v.0).collect::<Vec<_>>(),
                "expires_at": invitation.expires_at,
            })
            .to_string(),
        ),
    )
    .await?;
    statements::queue_message(
        tx,
        None,
        INVITATION_MESSAGE_KIND,
        &invitation.message,
        invitation.now,
    )
    .await
}

#[derive(sqlx::FromRow)]
struct InvitationRow {
    email: String,
    role: String,
    venue_ids: String,
    invited_by: i64,
    expires_at: i64,
}

impl InvitationRow {
    fn decode(self) -> StoreResult<Invitation> {
        Ok(Invitation {
            email: Email::parse(&self.email).map_err(StoreError::corrupt)?,
            access: StaffAccess::new(staff_role(&self.role)?, venue_ids(&self.venue_ids)?)
                .map_err(StoreError::corrupt)?,
            invited_by: UserId(self.invited_by),
            expires_at: instant(self.expires_at)?,
        })
    }
}

/// Takes up an invitation, once, before it expires: marks it taken and answers it. `None` for
/// a token that is unknown, taken already or expired. Run in the write transaction that also
/// makes the account staff.
pub async fn take_invitation(
    tx: &mut impl Sql,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> StoreResult<Option<Invitation>> {
    let row = tx
        .fetch_optional::<InvitationRow>(
            "UPDATE staff_invitations SET accepted_at = ts($2)
             WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > ts($2)
             RETURNING email, role, venue_ids, invited_by, ms(expires_at) AS expires_at",
            args![token_hash, millis(now)],
        )
        .await?;
    row.map(InvitationRow::decode).transpose()
}

/// The account an invitation is taken up by: a new one (with this password hash), or the
/// existing account of its email, whose owner proved it by its password.
#[derive(Clone)]
pub enum Joining {
    NewAccount { password_hash: String },
    Existing(UserId),
}

/// Takes up an invitation and makes the account staff, in one transaction (see
/// `take_invitation`). `None` when the invitation cannot be taken up.
pub async fn join(
    tx: &mut impl Sql,
    token_hash: &[u8],
    joining: Joining,
    now: DateTime<Utc>,
) -> StoreResult<Option<StaffMember>> {
    let Some(invitation) = take_invitation(tx, token_hash, now).await? else {
        return Ok(None);
    };
    let user = match joining {
        Joining::Existing(user) => user,
        Joining::NewAccount { password_hash } => {
            crate::accounts::create_user(
                tx,
                crate::NewUser {
                    email: invitation.email.clone(),
                    password_hash,
                    roles: vec![Role::Customer],
                    now,
                },
            )
            .await?
            .id
        }
    };
    set_access(tx, user, &invitation.access, Some(user), now)
        .await
        .map(Some)
}

/// The invitation a token stands for, if it can still be taken up (nothing is changed).
pub async fn invitation(
    on: &mut impl Sql,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> StoreResult<Option<Invitation>> {
    let row = on
        .fetch_optional::<InvitationRow>(
            "SELECT email, role, venue_ids, invited_by, ms(expires_at) AS expires_at
             FROM staff_invitations
             WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > ts($2)",
            args![token_hash, millis(now)],
        )
        .await?;
    row.map(InvitationRow::decode).transpose()
}
