//! Forgotten passwords: a link to set a new one, sent to the account's email.
//!
//! Asking for a link answers the same whether or not an account has the email, so the form
//! tells no one which emails have accounts. When one has, a random token is made; the store
//! keeps its SHA-256 only (`accounts::token_hash`) and queues the link in the outbox (kind
//! `password_reset`), where the mail worker finds it. The token is never logged. The link
//! works once, for `RESET_LINK_LIFETIME`; using it sets the password, ends every session of
//! the account (on this node at once, on others within the session cache's 5 s) and kills the
//! account's other links.

use crate::accounts::{link_token, new_password_hash, token_hash};
use crate::app::App;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::rate_limits::{AccountKey, RouteClass};
use marquee_domain::account::RESET_LINK_LIFETIME;
use marquee_domain::{Email, MAX_EMAIL_LEN};
use marquee_store::{NewPasswordReset, User};

/// The longest token a link can hold: anything longer is no link of ours.
const MAX_TOKEN_LEN: usize = 128;

/// Asks for a reset link for `email` (see the module). `invalid_email` for what is no email
/// address; otherwise `Ok` whether or not an account has it. Each email's requests are
/// limited as its logins are, so no one can flood a mailbox.
pub async fn request(app: &App, email: &str) -> AppResult<()> {
    let email = email.trim();
    if email.len() > MAX_EMAIL_LEN {
        return Err(AppError::invalid(
            ErrorCode::InvalidEmail,
            format!("an email address has at most {MAX_EMAIL_LEN} characters"),
        ));
    }
    let email = Email::parse(email)
        .map_err(|e| AppError::invalid(ErrorCode::InvalidEmail, e.to_string()))?;
    app.rate_limits().check_account(
        RouteClass::Auth,
        AccountKey::Email(email.as_str().to_string()),
    )?;
    let Some(account) = app.store().find_user_by_email(&email).await? else {
        return Ok(());
    };
    let token = link_token();
    let now = app.now();
    let expires_at = now + RESET_LINK_LIFETIME;
    let link = format!("{}/password/reset/{token}", app.config().public_url);
    let message = serde_json::json!({
        "to": email.as_str(),
        "link": link,
        "expires_at": expires_at,
    })
    .to_string();
    app.store()
        .start_password_reset(&NewPasswordReset {
            token_hash: token_hash(&token),
            user_id: account.user.id,
            now,
            expires_at,
            message,
        })
        .await?;
    Ok(())
}

/// Whether the link of `token` can still be used (unknown, used and expired links cannot).
pub async fn usable(app: &App, token: &str) -> AppResult<bool> {
    if token.len() > MAX_TOKEN_LEN {
        return Ok(false);
    }
    Ok(app
        .store()
        .password_reset(&token_hash(token.trim()), app.now())
        .await?
        .is_some())
}

/// Sets the account's new password through the link of `token`, once: the account, or `None`
/// when the link cannot be used (nothing changed). A weak password is refused
/// (`invalid_password`) before the link is used, so it can be tried again.
pub async fn reset(app: &App, token: &str, password: &str) -> AppResult<Option<User>> {
    // A link that cannot be used costs no hashing.
    if !usable(app, token).await? {
        return Ok(None);
    }
    let hash = new_password_hash(app, password).await?;
    let now = app.now();
    let Some(user) = app
        .store()
        .reset_password(&token_hash(token.trim()), &hash, now)
        .await?
    else {
        return Ok(None);
    };
    app.sessions().forget_user(user.id, now);
    Ok(Some(user))
}
