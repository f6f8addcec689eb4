//! Registering, logging in and out, and telling who sent a request.
//!
//! Passwords are hashed with argon2id (the crate's defaults: 19 MiB, 2 passes) on a fixed pool
//! of threads (`password_hashers`), so a login never stalls the async workers and a flood of
//! them costs a fixed amount of memory. Login tokens are 256 random bits shown to
//! the client once; the database keeps only their SHA-256, so a leaked table logs no one in.

use crate::app::App;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::rate_limits::{AccountKey, RouteClass};
use chrono::{DateTime, Utc};
use marquee_domain::{Email, Password, PasswordError, Role, MAX_EMAIL_LEN, MAX_PASSWORD_CHARS};
use marquee_store::{NewSession, NewUser, Session, User};
use rand::distributions::{Alphanumeric, DistString};
use sha2::{Digest, Sha256};

/// A login token as handed to the client. Its `Debug` hides it.
pub struct Token(String);

impl Token {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(***)")
    }
}

pub struct Login {
    pub token: Token,
    pub expires_at: DateTime<Utc>,
    pub user: User,
}

/// A new customer account (`marquee admin create` then makes one an owner).
pub async fn register(app: &App, email: &str, password: &str) -> AppResult<User> {
    let email = Email::parse(email)
        .map_err(|e| AppError::invalid(crate::error::ErrorCode::InvalidEmail, e.to_string()))?;
    let password = Password::parse(password)
        .map_err(|e| AppError::invalid(crate::error::ErrorCode::InvalidPassword, e.to_string()))?;
    let password_hash = app.password_hashers().hash(password).await?;
    let user = app
        .store()
        .create_user(NewUser {
            email,
            password_hash,
            roles: vec![Role::Customer],
            now: app.now(),
        })
        .await?;
    Ok(user)
}

/// Logs in with a password and, for staff with an authenticator, its code (`totp`).
pub async fn login(app: &App, email: &str, password: &str, totp: Option<&str>) -> AppResult<Login> {
    refuse_over_long(email, password)?;
    let parsed = Email::parse(email);
    // The account the login names, for its limits, whether or not it exists.
    let account = match &parsed {
        Ok(email) => email.as_str().to_string(),
        Err(_) => email.trim().to_lowercase(),
    };
    app.rate_limits()
        .check_account(RouteClass::Auth, AccountKey::Email(account.clone()))?;
    refuse_if_throttled(app, &account)?;
    // A malformed email cannot have an account; it gets the same answer as a wrong password.
    let credentials = match parsed {
        Ok(email) => app.store().find_user_by_email(&email).await?,
        Err(_) => None,
    };
    let stored_hash = match &credentials {
        Some(credentials) => credentials.password_hash.clone(),
        // Hash anyway, so the answer takes as long whether or not the account exists.
        None => dummy_hash(app).await?,
    };
    let matches = app
        .password_hashers()
        .verify(password.to_string(), stored_hash)
        .await?;
    let Some(credentials) = credentials.filter(|_| matches) else {
        app.login_throttle().failed(&account, app.now());
        return Err(AppError::InvalidCredentials);
    };
    let lifetime = match crate::staff::second_factor(app, &credentials.user, totp).await {
        Ok(lifetime) => lifetime,
        Err(AppError::InvalidTotp) => {
            app.login_throttle().failed(&account, app.now());
            return Err(AppError::InvalidTotp);
        }
        Err(other) => return Err(other),
    };
    app.login_throttle().succeeded(&account);
    let (token, expires_at) = start_session_for(app, &credentials.user, lifetime).await?;
    Ok(Login {
        token,
        expires_at,
        user: credentials.user,
    })
}

/// A field too long to be right is refused before anything is hashed (or even parsed).
fn refuse_over_long(email: &str, password: &str) -> AppResult<()> {
    if email.trim().len() > MAX_EMAIL_LEN {
        return Err(AppError::invalid(
            ErrorCode::InvalidEmail,
            format!("an email address has at most {MAX_EMAIL_LEN} characters"),
        ));
    }
    check_not_too_long(password)
}

pub(crate) fn check_not_too_long(password: &str) -> AppResult<()> {
    // Bytes first: four per character at most, so a huge body is refused without counting.
    if password.len() > 4 * MAX_PASSWORD_CHARS
        || matches!(Password::parse(password), Err(PasswordError::TooLong))
    {
        return Err(AppError::invalid(
            ErrorCode::InvalidPassword,
            PasswordError::TooLong.to_string(),
        ));
    }
    Ok(())
}

/// A new password for `user`, who proves they know the current one. Every session of the
/// account ends (on this node at once, on other nodes within the session cache's 5 s), and a
/// new one starts for the caller. A wrong current password counts against the account's
/// logins like a failed login.
pub async fn change_password(app: &App, user: &User, current: &str, new: &str) -> AppResult<Login> {
    check_not_too_long(current)?;
    let new = Password::parse(new)
        .map_err(|e| AppError::invalid(ErrorCode::InvalidPassword, e.to_string()))?;
    let account = user.email.as_str();
    refuse_if_throttled(app, account)?;
    let stored = app
        .store()
        .find_user_by_email(&user.email)
        .await?
        .ok_or(AppError::InvalidToken)?;
    let matches = app
        .password_hashers()
        .verify(current.to_string(), stored.password_hash)
        .await?;
    if !matches {
        app.login_throttle().failed(account, app.now());
        return Err(AppError::InvalidCredentials);
    }
    app.login_throttle().succeeded(account);
    let hash = app.password_hashers().hash(new).await?;
    if !app.store().change_password(user.id, &hash).await? {
        return Err(AppError::InvalidToken);
    }
    app.sessions().forget_user(user.id, app.now());
    let lifetime = match app.store().staff_member(user.id).await? {
        Some(_) => app.config().staff_session_ttl,
        None => app.config().session_ttl,
    };
    let (token, expires_at) = start_session_for(app, user, lifetime).await?;
    Ok(Login {
        token,
        expires_at,
        user: user.clone(),
    })
}

/// Sets `user`'s password without asking for the old one (`marquee admin create`, the demo's
/// owner), ending every session of the account.
pub async fn set_password(app: &App, user: &User, password: &str) -> AppResult<()> {
    let hash = new_password_hash(app, password).await?;
    app.store().change_password(user.id, &hash).await?;
    app.sessions().forget_user(user.id, app.now());
    Ok(())
}

/// The hash to store for a new password: `invalid_password` when it is too weak or too long.
pub(crate) async fn new_password_hash(app: &App, password: &str) -> AppResult<String> {
    let password = Password::parse(password)
        .map_err(|e| AppError::invalid(ErrorCode::InvalidPassword, e.to_string()))?;
    app.password_hashers().hash(password).await
}

/// Logs `user` out everywhere but the session of `token`: every other session of the account
/// ends (on this node at once, on other nodes within the session cache's 5 s). How many ended.
pub async fn end_other_sessions(app: &App, user: &User, token: &str) -> AppResult<u64> {
    let keep = token_hash(token);
    let ended = app.store().delete_sessions(user.id, Some(&keep)).await?;
    app.sessions().forget_user(user.id, app.now());
    Ok(ended)
}

/// `429 login_throttled` while too many wrong passwords for `account` keep its logins closed.
pub(crate) fn refuse_if_throttled(app: &App, account: &str) -> AppResult<()> {
    if !app.config().login_throttle {
        return Ok(());
    }
    match app.login_throttle().closed_for(account, app.now()) {
        Some(wait) => Err(AppError::wait(
            ErrorCode::LoginThrottled,
            "too many wrong passwords for this account; try again later",
            wait.to_std().ok(),
        )),
        None => Ok(()),
    }
}

/// A new login token for `user`, valid for the configured session time. Also used by the load
/// generator's set-up, which logs thousands of users in without hashing their passwords.
pub async fn start_session(app: &App, user: &User) -> AppResult<(Token, DateTime<Utc>)> {
    start_session_for(app, user, app.config().session_ttl).await
}

async fn start_session_for(
    app: &App,
    user: &User,
    lifetime: chrono::Duration,
) -> AppResult<(Token, DateTime<Utc>)> {
    let token = Token(format!(
        "mq_{}",
        Alphanumeric.sample_string(&mut rand::thread_rng(), 43)
    ));
    let now = app.now();
    let expires_at = now + lifetime;
    let hash = token_hash(token.expose());
    app.store()
        .create_session(NewSession {
            token_hash: hash.clone(),
            user_id: user.id,
            created_at: now,
            expires_at,
        })
        .await?;
    // The customer's next request (to this node) needs no database read to know them.
    app.sessions().remember(
        hash,
        Session {
            user: user.clone(),
            expires_at,
        },
        now,
    );
    Ok((token, expires_at))
}

pub async fn logout(app: &App, token: &str) -> AppResult<()> {
    let hash = token_hash(token);
    app.store().delete_session(&hash).await?;
    app.sessions().forget(&hash, app.now());
    Ok(())
}

/// The user a bearer token belongs to, if it is valid now: from the session cache when this
/// node checked the token lately, else from the database.
pub async fn authenticate(app: &App, token: &str) -> AppResult<User> {
    let hash = token_hash(token);
    let now = app.now();
    if let Some(user) = app.sessions().get(&hash, now) {
        return Ok(user);
    }
    let session = app
        .store()
        .session(&hash, now)
        .await?
        .ok_or(AppError::InvalidToken)?;
    let user = session.user.clone();
    app.sessions().remember(hash, session, now);
    Ok(user)
}

/// What the database keeps of a secret token (a login's, an invitation's, a reset link's):
/// its SHA-256.
pub(crate) fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A new secret for a link (an invitation's, a password reset's): 43 letters and digits,
/// over 256 random bits.
pub(crate) fn link_token() -> String {
    Alphanumeric.sample_string(&mut rand::thread_rng(), 43)
}

/// The hash of a random password, made once, verified against when the account does not exist.
async fn dummy_hash(app: &App) -> AppResult<String> {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_try_init(|| async {
            let random = Alphanumeric.sample_string(&mut rand::thread_rng(), 32);
            let password = Password::parse(&random).map_err(|e| AppError::Internal(e.into()))?;
            app.password_hashers().hash(password).await
        })
        .await
        .cloned()
}
