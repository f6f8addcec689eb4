//! `marquee mail list` prints the mailbox (newest first) and the dead letters from the
//! database, without a server, on both backends.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use marquee_domain::{Email, Role};
use marquee_store::mail::{Claim, MailboxEntry, Outcome};
use marquee_store::{NewPasswordReset, NewUser, Store};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, 17, 0, 0).unwrap()
}

/// Three messages in the outbox: one delivered to the mailbox at t0 + 1 min, one at
/// t0 + 2 min, one given up on with an error of two lines.
async fn three_letters(store: &dyn Store) {
    let ana = store
        .create_user(NewUser {
            email: Email::parse("ana@example.com").unwrap(),
            password_hash: "not-a-real-hash".into(),
            roles: vec![Role::Customer],
            now: t0(),
        })
        .await
        .unwrap();
    for token in 1..=3u8 {
        store
            .start_password_reset(&NewPasswordReset {
                token_hash: vec![token; 32],
                user_id: ana.id,
                now: t0(),
                expires_at: t0() + Duration::hours(1),
                message: "{}".into(),
            })
            .await
            .unwrap();
    }
    let claimed = store
        .claim_messages(Claim {
            node: 1,
            now: t0(),
            lease: Duration::minutes(1),
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(claimed.len(), 3);
    for (n, claim) in claimed[..2].iter().enumerate() {
        let at = t0() + Duration::minutes(n as i64 + 1);
        let entry = MailboxEntry {
            outbox_id: claim.message.id,
            recipient: "ana@example.com".into(),
            subject: format!("Marquee: letter {}", n + 1),
            text_body: format!("Hello,\nfollow http://x.test/{}\n", n + 1),
            html_body: "<p>Hello</p>".into(),
            created_at: at,
        };
        assert!(store
            .record_delivery(claim.message.id, &Outcome::ToMailbox(entry), at)
            .await
            .unwrap());
    }
    let failed = Outcome::Failed {
        error: "550 5.1.1 no such mailbox\nhere".into(),
    };
    assert!(store
        .record_delivery(claimed[2].message.id, &failed, t0() + Duration::minutes(3))
        .await
        .unwrap());
}

fn mail_list(dir: &std::path::Path, database_url: &str, args: &[&str]) -> String {
    let output = common::marquee(dir)
        .args(["mail", "list"])
        .args(args)
        .env("MARQUEE_DATABASE_URL", database_url)
        .env("MARQUEE_LOG", "warn")
        .output()
        .expect("marquee mail list runs");
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn check_listing(dir: &std::path::Path, url: &str) {
    let listing = mail_list(dir, url, &[]);
    assert_eq!(
        listing,
        "Mailbox (2, newest first):\n\
         2026-12-03 17:02:00 UTC  to ana@example.com  Marquee: letter 2\n\
         2026-12-03 17:01:00 UTC  to ana@example.com  Marquee: letter 1\n\
         Dead letters (1, most recent first):\n\
         2026-12-03 17:03:00 UTC  #3 password_reset  after 1 attempt  last error: 550 5.1.1 no such mailbox here\n",
    );
    let bodies = mail_list(dir, url, &["--limit", "1", "--bodies"]);
    assert!(bodies.starts_with(
        "Mailbox (1, newest first):\n\
         2026-12-03 17:02:00 UTC  to ana@example.com  Marquee: letter 2\n    \
         Hello,\n    follow http://x.test/2\n"
    ));
}

#[tokio::test]
async fn mail_list_prints_the_mailbox_and_the_dead_letters_on_sqlite() {
    let dir = common::TempDir::new("mail-list");
    assert_eq!(
        mail_list(&dir.0, "sqlite://mail.db", &[]),
        "Mailbox: empty\nDead letters: none\n"
    );
    let url = format!("sqlite://{}", dir.0.join("mail.db").display());
    let store = marquee_store_sqlite::SqliteStore::connect(&url)
        .await
        .unwrap();
    three_letters(&store).await;
    drop(store);
    check_listing(&dir.0, "sqlite://mail.db");
}

#[tokio::test]
async fn mail_list_prints_the_mailbox_and_the_dead_letters_on_postgres() {
    let dir = common::TempDir::new("mail-list-pg");
    let database = marquee_store_postgres::testing::fresh_database().await;
    let store = marquee_store_postgres::PgStore::connect(database.url(), 2)
        .await
        .unwrap();
    three_letters(&store).await;
    check_listing(&dir.0, database.url());
}
