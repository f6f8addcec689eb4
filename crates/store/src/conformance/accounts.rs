use super::fixtures::*;
use crate::*;
use chrono::Duration;
use marquee_domain::*;
use std::sync::Arc;

pub async fn emails_are_unique_whatever_their_case<S: UnguardedHold>(store: Arc<S>) {
    let ana = user(&*store, "Ana@Example.com").await;
    assert_eq!(ana.email.as_str(), "ana@example.com");
    assert_eq!(ana.roles, [Role::Customer]);
    let again = NewUser {
        email: Email::parse("ANA@example.COM").unwrap(),
        password_hash: "other".into(),
        roles: vec![Role::Customer],
        now: t0(),
    };
    assert!(matches!(
        store.create_user(again).await,
        Err(StoreError::EmailTaken)
    ));
    let found = store
        .find_user_by_email(&Email::parse("ana@EXAMPLE.com").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (found.user, found.password_hash),
        (ana.clone(), "not-a-real-hash".to_string())
    );
    assert_eq!(store.get_user(ana.id).await.unwrap(), Some(ana));
    assert!(store
        .find_user_by_email(&Email::parse("nobody@example.com").unwrap())
        .await
        .unwrap()
        .is_none());
}

pub async fn sessions_end_at_their_expiry_and_on_logout<S: UnguardedHold>(store: Arc<S>) {
    let ana = user(&*store, "ana@example.com").await;
    let token_hash = vec![7u8; 32];
    store
        .create_session(NewSession {
            token_hash: token_hash.clone(),
            user_id: ana.id,
            created_at: t0(),
            expires_at: t0() + Duration::hours(1),
        })
        .await
        .unwrap();
    assert_eq!(
        store.session(&token_hash, t0()).await.unwrap(),
        Some(Session {
            user: ana.clone(),
            expires_at: t0() + Duration::hours(1)
        })
    );
    assert_eq!(store.session(&[8u8; 32], t0()).await.unwrap(), None);
    assert_eq!(
        store
            .session(&token_hash, t0() + Duration::hours(1))
            .await
            .unwrap(),
        None,
        "expired"
    );
    assert!(store.delete_session(&token_hash).await.unwrap());
    assert!(!store.delete_session(&token_hash).await.unwrap());
    assert_eq!(
        store.session(&token_hash, t0()).await.unwrap(),
        None,
        "logged out"
    );
}

/// A reset link of `user`'s whose token hash is `[token; 32]`, usable for an hour from `t0`.
fn reset_link(user: &User, token: u8) -> NewPasswordReset {
    NewPasswordReset {
        token_hash: vec![token; 32],
        user_id: user.id,
        now: t0(),
        expires_at: t0() + Duration::hours(1),
        message: format!(
            r#"{{"to":"{}","link":"https://example.com/password/reset/{token}"}}"#,
            user.email.as_str()
        ),
    }
}

async fn session_for<S: UnguardedHold>(store: &S, user: &User, token: u8) {
    store
        .create_session(NewSession {
            token_hash: vec![token; 32],
            user_id: user.id,
            created_at: t0(),
            expires_at: t0() + Duration::days(30),
        })
        .await
        .unwrap();
}

async fn password_hash_of<S: UnguardedHold>(store: &S, user: &User) -> String {
    store
        .find_user_by_email(&user.email)
        .await
        .unwrap()
        .expect("the account")
        .password_hash
}

pub async fn a_password_reset_link_is_used_once<S: UnguardedHold>(store: Arc<S>) {
    let ana = user(&*store, "ana@example.com").await;
    let bob = user(&*store, "bob@example.com").await;
    session_for(&*store, &ana, 1).await;
    session_for(&*store, &bob, 2).await;
    store
        .start_password_reset(&reset_link(&ana, 10))
        .await
        .unwrap();
    store
        .start_password_reset(&reset_link(&ana, 12))
        .await
        .unwrap();
    let messages = store.undelivered_messages(10).await.unwrap();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert_eq!(messages[0].kind, "password_reset");
    assert_eq!(messages[0].booking_id, None);
    assert_eq!(messages[0].payload, reset_link(&ana, 10).message);
    assert_eq!(messages[0].created_at, t0());
    assert_eq!(
        store.password_reset(&[10u8; 32], t0()).await.unwrap(),
        Some(ana.id)
    );
    assert_eq!(store.password_reset(&[11u8; 32], t0()).await.unwrap(), None);

    let later = t0() + Duration::minutes(5);
    let used = store
        .reset_password(&[10u8; 32], "new-hash", later)
        .await
        .unwrap();
    assert_eq!(used, Some(ana.clone()));
    assert_eq!(password_hash_of(&*store, &ana).await, "new-hash");
    assert_eq!(
        store.session(&[1u8; 32], later).await.unwrap(),
        None,
        "the account's sessions ended"
    );
    assert!(
        store.session(&[2u8; 32], later).await.unwrap().is_some(),
        "another account's session goes on"
    );

    assert_eq!(
        store.password_reset(&[10u8; 32], later).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .reset_password(&[10u8; 32], "again-hash", later)
            .await
            .unwrap(),
        None,
        "a link is used once"
    );
    assert_eq!(
        store
            .reset_password(&[12u8; 32], "other-hash", later)
            .await
            .unwrap(),
        None,
        "the account's other links died with it"
    );
    assert_eq!(
        store.reset_password(&[11u8; 32], "x", later).await.unwrap(),
        None
    );
    assert_eq!(password_hash_of(&*store, &ana).await, "new-hash");
    assert_eq!(password_hash_of(&*store, &bob).await, "not-a-real-hash");
}

pub async fn a_password_reset_link_expires<S: UnguardedHold>(store: Arc<S>) {
    let ana = user(&*store, "ana@example.com").await;
    session_for(&*store, &ana, 1).await;
    store
        .start_password_reset(&reset_link(&ana, 10))
        .await
        .unwrap();
    let just_before = t0() + Duration::hours(1) - Duration::milliseconds(1);
    assert_eq!(
        store
            .password_reset(&[10u8; 32], just_before)
            .await
            .unwrap(),
        Some(ana.id)
    );
    let expiry = t0() + Duration::hours(1);
    assert_eq!(
        store.password_reset(&[10u8; 32], expiry).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .reset_password(&[10u8; 32], "new-hash", expiry)
            .await
            .unwrap(),
        None
    );
    assert_eq!(password_hash_of(&*store, &ana).await, "not-a-real-hash");
    assert!(
        store.session(&[1u8; 32], t0()).await.unwrap().is_some(),
        "nothing changed"
    );
}

pub async fn of_concurrent_uses_of_a_reset_link_one_wins<S: UnguardedHold>(store: Arc<S>) {
    let ana = user(&*store, "ana@example.com").await;
    store
        .start_password_reset(&reset_link(&ana, 10))
        .await
        .unwrap();
    let uses: Vec<_> = (0..8)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                let hash = format!("hash-{n}");
                let used = store
                    .reset_password(&[10u8; 32], &hash, t0() + Duration::minutes(1))
                    .await
                    .unwrap();
                used.map(|_| hash)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for used in uses {
        winners.extend(used.await.unwrap());
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    assert_eq!(password_hash_of(&*store, &ana).await, winners[0]);
}
