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
