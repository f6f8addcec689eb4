//! Delivering the outbox (issue 20): a message is claimed by one node at a time, sent once,
//! retried when it is due, and given up on for good.

use super::fixtures::*;
use crate::mail::{Claim, Outcome};
use crate::*;
use chrono::Duration;
use std::sync::Arc;

/// Three messages in the outbox: two bookings confirmed, and paid, at t0.
async fn three_messages<S: UnguardedHold>(store: &S) -> Vec<i64> {
    let w = world(store).await;
    paid(store, &w.alice, &w.showtime, &["A1"], t0()).await;
    paid(store, &w.alice, &w.showtime, &["A2"], t0()).await;
    paid(store, &w.bob, &w.showtime, &["A3"], t0()).await;
    store
        .undelivered_messages(10)
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect()
}

fn claim(node: u16, at: chrono::DateTime<chrono::Utc>) -> Claim {
    Claim {
        node,
        now: at,
        lease: Duration::minutes(1),
        limit: 10,
    }
}

fn ids(claimed: &[mail::ClaimedMessage]) -> Vec<i64> {
    claimed.iter().map(|c| c.message.id).collect()
}

pub async fn an_outbox_message_is_claimed_by_one_node_and_sent_once<S: UnguardedHold>(
    store: Arc<S>,
) {
    let messages = three_messages(&*store).await;
    assert_eq!(messages.len(), 3);
    let one = store.claim_messages(claim(1, t0())).await.unwrap();
    assert_eq!(ids(&one), messages);
    assert!(one.iter().all(|c| c.attempts == 1));
    assert_eq!(one[0].message.kind, "booking_confirmed");
    // Claimed: another node finds nothing while the claim lasts.
    let two = store.claim_messages(claim(2, t0())).await.unwrap();
    assert!(two.is_empty(), "{two:?}");

    // Sent: never claimed again, and recorded once.
    assert!(store
        .record_delivery(messages[0], &Outcome::Sent, t0())
        .await
        .unwrap());
    assert!(!store
        .record_delivery(messages[0], &Outcome::Sent, t0())
        .await
        .unwrap());
    // Not this time: due again at its time, not before.
    let retry_at = t0() + Duration::minutes(2);
    let retry = Outcome::Retry {
        error: "451 try later".into(),
        retry_at,
    };
    assert!(store
        .record_delivery(messages[1], &retry, t0())
        .await
        .unwrap());
    // A node whose claim ran out (it died) leaves its message to others.
    let after_lease = t0() + Duration::seconds(61);
    let taken = store.claim_messages(claim(2, after_lease)).await.unwrap();
    assert_eq!(
        ids(&taken),
        [messages[2]],
        "the lost claim, not the one to retry"
    );
    assert_eq!(taken[0].attempts, 2);
    let due = store.claim_messages(claim(2, retry_at)).await.unwrap();
    assert_eq!(ids(&due), [messages[1]]);
    assert_eq!(due[0].attempts, 2);
    let state = store.delivery(messages[1]).await.unwrap().unwrap();
    assert_eq!(state.last_error.as_deref(), Some("451 try later"));
    assert!(!state.sent && !state.failed);

    // Given up: a dead letter, never claimed again, and a late "sent" changes nothing.
    assert!(store
        .record_delivery(
            messages[1],
            &Outcome::Failed {
                error: "550 no such user".into()
            },
            retry_at
        )
        .await
        .unwrap());
    assert!(!store
        .record_delivery(messages[1], &Outcome::Sent, retry_at)
        .await
        .unwrap());
    let dead = store.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(
        (dead[0].id, dead[0].attempts, dead[0].last_error.as_str()),
        (messages[1], 2, "550 no such user")
    );
    assert_eq!(dead[0].failed_at, retry_at);
    let much_later = t0() + Duration::days(1);
    let left = store.claim_messages(claim(3, much_later)).await.unwrap();
    assert_eq!(ids(&left), [messages[2]], "only the one never recorded");
    let sent = store.delivery(messages[0]).await.unwrap().unwrap();
    assert!(sent.sent && !sent.failed);
}

pub async fn mail_without_smtp_lands_in_the_mailbox_once<S: UnguardedHold>(store: Arc<S>) {
    let messages = three_messages(&*store).await;
    store.claim_messages(claim(1, t0())).await.unwrap();
    let entry = |subject: &str| mail::MailboxEntry {
        outbox_id: messages[0],
        recipient: "alice@example.com".into(),
        subject: subject.into(),
        text_body: "text".into(),
        html_body: "<p>html</p>".into(),
        created_at: t0(),
    };
    assert!(store
        .record_delivery(messages[0], &Outcome::ToMailbox(entry("first")), t0())
        .await
        .unwrap());
    assert!(!store
        .record_delivery(messages[0], &Outcome::ToMailbox(entry("again")), t0())
        .await
        .unwrap());
    assert_eq!(store.mailbox(10).await.unwrap(), [entry("first")]);
    assert!(store.delivery(messages[0]).await.unwrap().unwrap().sent);
}

/// Two nodes claiming at once, many times over: each message goes to one of them.
pub async fn nodes_claiming_at_once_never_share_a_message<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    for label in ["A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8"] {
        paid(&*store, &w.alice, &w.showtime, &[label], t0()).await;
    }
    let small = |node| Claim {
        limit: 1,
        ..claim(node, t0())
    };
    let mut claimed = vec![];
    for _ in 0..4 {
        let (one, two) = tokio::join!(
            store.claim_messages(small(1)),
            store.claim_messages(small(2))
        );
        claimed.extend(ids(&one.unwrap()));
        claimed.extend(ids(&two.unwrap()));
    }
    let mut distinct = claimed.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        claimed.len(),
        "a message claimed twice: {claimed:?}"
    );
    assert_eq!(claimed.len(), 8, "{claimed:?}");
}
