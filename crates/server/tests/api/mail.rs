//! The outbox delivered to a real SMTP server (Python's aiosmtpd, `smtp_sink.py`, on a
//! loopback port) on both backends: once, with text, HTML, the tickets and the calendar
//! event; after a server's 451s; never to an address it refuses with 550; and, with no
//! server listening, retried with a growing backoff until it is a dead letter. Without SMTP,
//! into the mailbox.

use crate::helpers::TestApp;
use chrono::Duration;
use marquee_server::mail::{deliver_once, MailConfig, Pass};
use marquee_server::Config;
use marquee_store::conformance::fixtures;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const BOUNCES: &str = "gone@example.com";

/// The SMTP server, killed when dropped, and the folder it writes messages to.
struct Sink {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A server that answers 451 to the first `refuse_first` messages, and cuts the connection
/// instead of answering the first `lose_first` it keeps.
fn sink(refuse_first: u32, lose_first: u32) -> Sink {
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("marquee-smtp-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a folder");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api/smtp_sink.py");
    // Debian's Python, where its python3-aiosmtpd is (a python3 earlier on PATH may not
    // have it).
    let python = if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    };
    let mut child = Command::new(python)
        .arg(script)
        .arg(port.to_string())
        .arg(&dir)
        .arg(refuse_first.to_string())
        .arg(BOUNCES)
        .arg(lose_first.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs (scripts/ensure-aiosmtpd installs aiosmtpd)");
    let mut ready = String::new();
    use std::io::BufRead;
    std::io::BufReader::new(child.stdout.take().expect("its stdout"))
        .read_line(&mut ready)
        .expect("the sink says it is ready");
    assert_eq!(ready.trim(), "ready", "the SMTP sink did not start");
    Sink { child, port, dir }
}

impl Sink {
    /// The messages the server accepted, in order.
    fn received(&self) -> Vec<String> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .expect("the folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| String::from_utf8_lossy(&std::fs::read(f).expect("a message")).into_owned())
            .collect()
    }
}

fn smtp_to(port: u16, max_attempts: u32) -> impl FnOnce(Config) -> Config {
    move |config| Config {
        mail: MailConfig {
            smtp_url: Some(marquee_payments::Secret::new(format!(
                "smtp://127.0.0.1:{port}"
            ))),
            max_attempts,
            timeout: std::time::Duration::from_secs(5),
            ..MailConfig::default()
        },
        ..config
    }
}

/// Runs each test on SQLite and PostgreSQL, with its own SMTP server.
macro_rules! with_smtp {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(|c| Box::pin($crate::helpers::TestApp::sqlite_configured(c))).await }
        )* }
        mod postgres { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(|c| Box::pin($crate::helpers::TestApp::postgres_configured(c))).await }
        )* }
    };
}

type Configure = Box<dyn FnOnce(Config) -> Config + Send>;
type Start = fn(Configure) -> std::pin::Pin<Box<dyn std::future::Future<Output = TestApp> + Send>>;

with_smtp!(
    a_confirmation_is_delivered_once_with_its_tickets_and_calendar_event,
    a_server_that_says_try_later_gets_the_message_after_retries,
    a_message_sent_again_after_a_lost_answer_keeps_its_message_id,
    a_server_that_is_down_leaves_the_message_to_retry_then_a_dead_letter,
    an_address_the_server_refuses_is_a_dead_letter_at_once,
    without_smtp_mail_lands_in_the_mailbox,
    a_reminder_goes_out_once_at_the_hours_its_venue_set,
);

/// A paid booking of Alice's: its confirmation is the outbox's one message.
async fn confirmed(app: &TestApp) -> (marquee_domain::Booking, i64) {
    let w = &app.world;
    let booking = fixtures::paid(
        &*app.store,
        &w.alice,
        &w.showtime,
        &["C1", "C2"],
        app.clock_now(),
    )
    .await;
    let messages = app.store.undelivered_messages(10).await.unwrap();
    assert_eq!(messages.len(), 1, "{messages:?}");
    (booking, messages[0].id)
}

async fn a_confirmation_is_delivered_once_with_its_tickets_and_calendar_event(start: Start) {
    let sink = sink(0, 0);
    let app = start(Box::new(smtp_to(sink.port, 8))).await;
    let (booking, id) = confirmed(&app).await;
    let pass = deliver_once(&app.app).await.unwrap();
    assert_eq!(
        pass,
        Pass {
            sent: 1,
            retried: 0,
            failed: 0
        }
    );
    let received = sink.received();
    assert_eq!(received.len(), 1);
    let mail = &received[0];
    for expected in [
        "To: alice@example.com",
        &format!("Subject: Cinema Tejo: your tickets ({})", booking.reference),
        "Content-Type: text/plain",
        "Content-Type: text/html",
        "Content-Type: application/pdf",
        "filename=\"marquee-",
        "Content-Type: text/calendar",
    ] {
        assert!(mail.contains(expected), "{expected:?} not in {mail}");
    }
    let state = app.store.delivery(id).await.unwrap().unwrap();
    assert!(state.sent && !state.failed);
    // Never again, on any later pass.
    app.advance(Duration::hours(1));
    assert_eq!(deliver_once(&app.app).await.unwrap(), Pass::default());
    assert_eq!(sink.received().len(), 1);
}

async fn a_server_that_says_try_later_gets_the_message_after_retries(start: Start) {
    let sink = sink(2, 0);
    let app = start(Box::new(smtp_to(sink.port, 8))).await;
    let (_, id) = confirmed(&app).await;
    let t = app.clock_now();
    assert_eq!(deliver_once(&app.app).await.unwrap().retried, 1);
    let first = app.store.delivery(id).await.unwrap().unwrap();
    assert_eq!(
        (first.attempts, first.next_attempt_at),
        (1, Some(t + Duration::minutes(1)))
    );
    assert!(first.last_error.unwrap_or_default().contains("451"));
    // Not due yet: nothing is tried.
    assert_eq!(deliver_once(&app.app).await.unwrap(), Pass::default());
    app.advance(Duration::minutes(1));
    assert_eq!(deliver_once(&app.app).await.unwrap().retried, 1);
    let second = app.store.delivery(id).await.unwrap().unwrap();
    assert_eq!(
        second.next_attempt_at,
        Some(t + Duration::minutes(3)),
        "the wait doubles"
    );
    app.advance(Duration::minutes(2));
    assert_eq!(deliver_once(&app.app).await.unwrap().sent, 1);
    assert_eq!(sink.received().len(), 1);
    assert_eq!(app.store.delivery(id).await.unwrap().unwrap().attempts, 3);
}

/// The `Message-ID` header of a message as the server received it.
fn message_id(mail: &str) -> &str {
    mail.lines()
        .find_map(|l| l.strip_prefix("Message-ID: "))
        .unwrap_or_else(|| panic!("no Message-ID in {mail}"))
}

/// The server kept the message but its answer never came: the worker cannot tell that from a
/// message lost, so it sends it again. Both copies carry the one Message-ID the outbox message
/// has, by which mail systems keep one.
async fn a_message_sent_again_after_a_lost_answer_keeps_its_message_id(start: Start) {
    let sink = sink(0, 1);
    let app = start(Box::new(smtp_to(sink.port, 8))).await;
    let (_, id) = confirmed(&app).await;
    assert_eq!(deliver_once(&app.app).await.unwrap().retried, 1);
    assert_eq!(sink.received().len(), 1, "kept, though not answered");
    app.advance(Duration::minutes(1));
    assert_eq!(deliver_once(&app.app).await.unwrap().sent, 1);
    let received = sink.received();
    assert_eq!(received.len(), 2);
    let (first, second) = (message_id(&received[0]), message_id(&received[1]));
    assert_eq!(first, second);
    assert!(
        first.starts_with(&format!("<marquee.{id}.")),
        "the outbox message's own: {first}"
    );
}

async fn a_server_that_is_down_leaves_the_message_to_retry_then_a_dead_letter(start: Start) {
    let app = start(Box::new(smtp_to(free_port(), 3))).await;
    let (_, id) = confirmed(&app).await;
    let mut waits = vec![];
    for attempt in 1..=2u32 {
        assert_eq!(
            deliver_once(&app.app).await.unwrap().retried,
            1,
            "attempt {attempt}"
        );
        let state = app.store.delivery(id).await.unwrap().unwrap();
        assert_eq!(state.attempts, attempt);
        assert!(!state.sent && !state.failed);
        let wait = state.next_attempt_at.unwrap() - app.clock_now();
        waits.push(wait);
        app.advance(wait);
    }
    assert!(waits[1] > waits[0], "the backoff grows: {waits:?}");
    assert_eq!(deliver_once(&app.app).await.unwrap().failed, 1);
    let dead = app
        .store
        .dead_letters(marquee_store::mail::MailFilter::all(10))
        .await
        .unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!((dead[0].id, dead[0].attempts), (id, 3));
    app.advance(Duration::days(1));
    assert_eq!(deliver_once(&app.app).await.unwrap(), Pass::default());
}

async fn an_address_the_server_refuses_is_a_dead_letter_at_once(start: Start) {
    let sink = sink(0, 0);
    let app = start(Box::new(smtp_to(sink.port, 8))).await;
    let gone = fixtures::user(&*app.store, BOUNCES).await;
    let w = &app.world;
    fixtures::paid(&*app.store, &gone, &w.showtime, &["B1"], app.clock_now()).await;
    assert_eq!(
        deliver_once(&app.app).await.unwrap(),
        Pass {
            sent: 0,
            retried: 0,
            failed: 1
        }
    );
    let dead = app
        .store
        .dead_letters(marquee_store::mail::MailFilter::all(10))
        .await
        .unwrap();
    assert_eq!(dead[0].attempts, 1);
    assert!(dead[0].last_error.contains("550"), "{}", dead[0].last_error);
    assert!(sink.received().is_empty());
}

async fn without_smtp_mail_lands_in_the_mailbox(start: Start) {
    let app = start(Box::new(|c| c)).await;
    let (booking, id) = confirmed(&app).await;
    assert_eq!(deliver_once(&app.app).await.unwrap().sent, 1);
    let mailbox: Vec<_> = app
        .store
        .mailbox(marquee_store::mail::MailFilter::all(10))
        .await
        .unwrap()
        .into_iter()
        .map(|letter| letter.entry)
        .collect();
    assert_eq!(mailbox.len(), 1);
    assert_eq!(mailbox[0].outbox_id, id);
    assert_eq!(mailbox[0].recipient, "alice@example.com");
    assert_eq!(
        mailbox[0].subject,
        format!("Cinema Tejo: your tickets ({})", booking.reference)
    );
    assert!(mailbox[0].text_body.contains("C1, C2"));
    assert!(mailbox[0].html_body.contains("<a href="));
    assert_eq!(deliver_once(&app.app).await.unwrap(), Pass::default());
}

async fn a_reminder_goes_out_once_at_the_hours_its_venue_set(start: Start) {
    let app = start(Box::new(|c| c)).await;
    let (booking, _) = confirmed(&app).await;
    assert_eq!(
        deliver_once(&app.app).await.unwrap().sent,
        1,
        "the confirmation"
    );
    let venue = app.world.venue.id;
    let (manager, _) = app
        .staff(
            "max@example.com",
            marquee_domain::StaffRole::Manager,
            &[venue],
        )
        .await;
    let path = format!("/api/v1/admin/venues/{}/reminder", venue.0);
    let standard = app.get(&path, Some(&manager)).await;
    assert_eq!(standard.body["hours_before"], 3);
    let too_early = app
        .request(
            axum::http::Method::PUT,
            &path,
            Some(&manager),
            Some(serde_json::json!({ "hours_before": 49 })),
        )
        .await;
    assert_eq!(too_early.code(), "invalid_request");
    let set = app
        .request(
            axum::http::Method::PUT,
            &path,
            Some(&manager),
            Some(serde_json::json!({ "hours_before": 5 })),
        )
        .await;
    assert_eq!(set.status, axum::http::StatusCode::OK, "{:?}", set.body);
    assert_eq!(app.store.reminder_hours(venue).await.unwrap(), 5);

    let starts = app.world.showtime.showtime.starts_at;
    app.advance(starts - chrono::Duration::hours(5) - app.clock_now());
    assert_eq!(
        app.store
            .queue_reminders(app.clock_now(), 100)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        app.store
            .queue_reminders(app.clock_now(), 100)
            .await
            .unwrap(),
        0
    );
    assert_eq!(deliver_once(&app.app).await.unwrap().sent, 1);
    let reminder = app
        .store
        .mailbox(marquee_store::mail::MailFilter::all(10))
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.kind == "showtime_reminder")
        .expect("a reminder in the mailbox");
    assert_eq!(reminder.booking_id, Some(booking.id));
    assert_eq!(
        reminder.entry.subject,
        format!("Cinema Tejo: see you soon ({})", booking.reference)
    );
}

/// Two nodes on one PostgreSQL database deliver the same outbox at the same moments, round
/// after round: each message reaches the SMTP server once (the claim is `FOR UPDATE SKIP
/// LOCKED`).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_delivering_at_once_send_each_message_once() {
    const BOOKINGS: usize = 12;
    let sink = sink(0, 0);
    let port = sink.port;
    let (one, two) = TestApp::postgres_two_nodes_configured(move |c| smtp_to(port, 8)(c)).await;
    let w = &one.world;
    let seats = [
        "A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "B1", "B2", "B3", "B4",
    ];
    let mut references = Vec::new();
    for (n, seat) in seats.iter().enumerate().take(BOOKINGS) {
        let customer = fixtures::user(&*one.store, &format!("c{n}@example.com")).await;
        let booking = fixtures::paid(
            &*one.store,
            &customer,
            &w.showtime,
            &[seat],
            one.clock_now(),
        )
        .await;
        references.push(booking.reference.to_string());
    }
    let mut sent = 0;
    for _ in 0..BOOKINGS * 2 {
        let (a, b) = tokio::join!(deliver_once(&one.app), deliver_once(&two.app));
        let (a, b) = (a.unwrap(), b.unwrap());
        sent += a.sent + b.sent;
        if a == Pass::default() && b == Pass::default() {
            break;
        }
    }
    assert_eq!(sent as usize, BOOKINGS);
    let received = sink.received();
    assert_eq!(received.len(), BOOKINGS, "each message once");
    for reference in &references {
        let times = received
            .iter()
            .filter(|m| m.contains(&format!("({reference})")))
            .count();
        assert_eq!(times, 1, "{reference}");
    }
}
