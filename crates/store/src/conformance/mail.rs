//! Delivering the outbox (issue 20): a message is claimed by one node at a time, sent once,
//! retried when it is due, and given up on for good.

use super::fixtures::*;
use crate::mail::{Claim, MailFilter, Outcome};
use crate::*;
use chrono::Duration;
use marquee_domain::*;
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
    let dead = store.dead_letters(MailFilter::all(10)).await.unwrap();
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
    let mailbox = store.mailbox(MailFilter::all(10)).await.unwrap();
    assert_eq!(
        mailbox
            .iter()
            .map(|l| (l.kind.as_str(), l.booking_id.is_some(), &l.entry))
            .collect::<Vec<_>>(),
        [("booking_confirmed", true, &entry("first"))]
    );
    assert!(store.delivery(messages[0]).await.unwrap().unwrap().sent);
}

/// A venue-scoped reader sees the mail about bookings at their venues only: not another
/// venue's, nor the account letters (a password reset's link signs in as its owner); a
/// reader who sees everything sees all of it, newest first.
pub async fn a_venue_scoped_reader_sees_only_its_venues_mail<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    paid(&*store, &w.alice, &w.showtime, &["A1"], t0()).await;
    paid(&*store, &w.bob, &w.showtime, &["A2"], t0()).await;
    store
        .start_password_reset(&NewPasswordReset {
            token_hash: vec![7; 32],
            user_id: w.alice.id,
            now: t0(),
            expires_at: t0() + Duration::hours(1),
            message: "{}".into(),
        })
        .await
        .unwrap();
    let claimed = store.claim_messages(claim(1, t0())).await.unwrap();
    let kinds: Vec<&str> = claimed.iter().map(|c| c.message.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["booking_confirmed", "booking_confirmed", "password_reset"]
    );
    let (alices, bobs, reset) = (&claimed[0], &claimed[1], &claimed[2]);
    for (claim, subject) in [(alices, "tickets"), (reset, "new password")] {
        let entry = mail::MailboxEntry {
            outbox_id: claim.message.id,
            recipient: "alice@example.com".into(),
            subject: subject.into(),
            text_body: "text".into(),
            html_body: "<p>html</p>".into(),
            created_at: t0(),
        };
        store
            .record_delivery(claim.message.id, &Outcome::ToMailbox(entry), t0())
            .await
            .unwrap();
    }
    let refused = Outcome::Failed {
        error: "550 no such user".into(),
    };
    store
        .record_delivery(bobs.message.id, &refused, t0())
        .await
        .unwrap();

    let subjects = |letters: Vec<mail::MailboxLetter>| -> Vec<String> {
        letters.into_iter().map(|l| l.entry.subject).collect()
    };
    let everything = MailFilter::all(10);
    assert_eq!(
        subjects(store.mailbox(everything).await.unwrap()),
        ["new password", "tickets"]
    );
    assert_eq!(store.dead_letters(everything).await.unwrap().len(), 1);
    let ours = [w.venue.id];
    let scoped = MailFilter {
        venues: Some(&ours),
        limit: 10,
    };
    assert_eq!(subjects(store.mailbox(scoped).await.unwrap()), ["tickets"]);
    let dead = store.dead_letters(scoped).await.unwrap();
    assert_eq!(
        dead.iter().map(|d| d.id).collect::<Vec<_>>(),
        [bobs.message.id]
    );
    let elsewhere = [VenueId(w.venue.id.0 + 1000)];
    let other = MailFilter {
        venues: Some(&elsewhere),
        limit: 10,
    };
    assert!(store.mailbox(other).await.unwrap().is_empty());
    assert!(store.dead_letters(other).await.unwrap().is_empty());
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

/// A hold that runs out while its payment is awaited (the customer reached checkout) queues
/// one `hold_expired` message for its booking, in the sweep that expires it; a plain hold
/// that runs out queues nothing.
pub async fn a_checkout_that_runs_out_queues_hold_expired_and_a_plain_hold_nothing<
    S: UnguardedHold,
>(
    store: Arc<S>,
) {
    let w = world(&*store).await;
    let checking_out = store
        .hold_seats(hold(&w.alice, &w.showtime, &["B2"], t0()))
        .await
        .unwrap();
    store
        .start_checkout(super::payments::checkout(
            &checking_out,
            &w.alice,
            "pi_gone",
            t0(),
        ))
        .await
        .unwrap();
    let walked_away = store
        .hold_seats(hold(&w.bob, &w.showtime, &["B3"], t0()))
        .await
        .unwrap();
    let before = checking_out.expires_at - Duration::seconds(1);
    store
        .expire_stale_holds(before)
        .await
        .unwrap()
        .unpublished();
    assert!(store
        .outbox_kinds(checking_out.id)
        .await
        .unwrap()
        .is_empty());

    let later = checking_out.expires_at.max(walked_away.expires_at);
    assert_eq!(
        store.expire_stale_holds(later).await.unwrap().unpublished(),
        2
    );
    store.expire_stale_holds(later).await.unwrap().unpublished();
    assert_eq!(
        store.outbox_kinds(checking_out.id).await.unwrap(),
        ["hold_expired"],
        "queued once, by the sweep that expired it"
    );
    assert!(store.outbox_kinds(walked_away.id).await.unwrap().is_empty());
    let messages = store.undelivered_messages(10).await.unwrap();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0].booking_id, Some(checking_out.id));
    assert_eq!(messages[0].created_at, later);
    let payload: serde_json::Value = serde_json::from_str(&messages[0].payload).unwrap();
    assert_eq!(payload["kind"], "hold_expired");
}

/// An invitation queues the message that takes its link to the invitee, with it; an
/// invitation refused (an unknown venue) queues nothing.
pub async fn a_staff_invitation_queues_its_link_for_the_invitee<S: UnguardedHold>(store: Arc<S>) {
    let w = world(&*store).await;
    let invitation = |venue: VenueId, token: u8| NewInvitation {
        token_hash: vec![token; 32],
        email: Email::parse("sam@example.com").unwrap(),
        access: StaffAccess::new(StaffRole::Manager, vec![venue]).unwrap(),
        invited_by: w.alice.id,
        now: t0(),
        expires_at: t0() + Duration::hours(72),
        message: format!(r#"{{"to":"sam@example.com","link":"http://x.test/admin/join/{token}"}}"#),
    };
    let refused = store.invite_staff(&invitation(VenueId(999_999), 1)).await;
    assert!(refused.is_err(), "{refused:?}");
    assert!(store.undelivered_messages(10).await.unwrap().is_empty());

    store
        .invite_staff(&invitation(w.venue.id, 2))
        .await
        .unwrap();
    let messages = store.undelivered_messages(10).await.unwrap();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0].kind, "staff_invitation");
    assert_eq!(messages[0].booking_id, None);
    assert_eq!(
        messages[0].payload,
        r#"{"to":"sam@example.com","link":"http://x.test/admin/join/2"}"#
    );
    assert!(store
        .staff_invitation(&[2u8; 32], t0())
        .await
        .unwrap()
        .is_some());
}
