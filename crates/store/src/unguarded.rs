//! A deliberately unguarded hold, for the race tests' control: it reads the seats' states and
//! then writes them without the condition, as a naive implementation would. The conformance
//! suite runs the race against it and must count a double sale, which proves the race test
//! can see one. Compiled for tests only (feature `conformance`).

use crate::backend::{Backend, ATTEMPTS};
use crate::codec::{category, millis, unknown_labels};
use crate::sql::{self, Sql, Value};
use crate::writes::BatchStatements;
use crate::{args, holds, statements, Store, StoreError, StoreResult};
use async_trait::async_trait;
use marquee_domain::hold_plan::{held_booking, NewHold};
use marquee_domain::{Booking, Entity};

#[async_trait]
pub trait UnguardedHold: Store {
    async fn hold_seats_unguarded(&self, hold: NewHold) -> StoreResult<Booking>;
}

#[async_trait]
impl<B: Backend> UnguardedHold for B {
    /// Checks availability with a plain read outside any transaction, lets the other racers
    /// run, then writes each seat without any condition, so two holds that both saw a seat
    /// free both "get" it.
    async fn hold_seats_unguarded(&self, hold: NewHold) -> StoreResult<Booking> {
        let mut check = vec![Value::Int(hold.showtime_id.0), Value::Int(millis(hold.now))];
        check.extend(hold.seats.iter().map(|l| Value::Text(l)));
        let free: Vec<(String, String)> = self
            .reading()
            .fetch_all(
                &format!(
                    "SELECT label, category FROM showtime_seats
                     WHERE showtime_id = $1
                       AND (status = 'available' OR (status = 'held' AND held_until <= ts($2)))
                       AND label IN ({})",
                    sql::rows(hold.seats.len(), "?", 3)
                ),
                &check,
            )
            .await?;
        if free.len() != hold.seats.len() {
            let got: Vec<String> = free.into_iter().map(|(label, _)| label).collect();
            return Err(StoreError::SeatsUnavailable(unknown_labels(
                &hold.seats,
                &got,
            )));
        }
        let free = free
            .into_iter()
            .map(|(label, stored)| Ok((label, category(&stored)?)))
            .collect::<StoreResult<Vec<_>>>()?;
        tokio::task::yield_now().await;
        let mut attempt = 1;
        loop {
            match write_unguarded(self, &hold, &free).await {
                Err(err) if attempt < ATTEMPTS && self.retryable(&err) => attempt += 1,
                done => return done,
            }
        }
    }
}

async fn write_unguarded<B: Backend>(
    backend: &B,
    hold: &NewHold,
    free: &[(String, marquee_domain::SeatCategory)],
) -> StoreResult<Booking> {
    let mut tx = backend.begin_write().await?;
    let terms = statements::sale_terms(&mut tx, hold.showtime_id)
        .await?
        .ok_or(StoreError::NotFound(Entity::Showtime))?;
    for label in &hold.seats {
        tx.execute(
            "UPDATE showtime_seats SET status = 'held', booking_id = $1, held_until = ts($2)
             WHERE showtime_id = $3 AND label = $4",
            args![
                hold.id.0,
                millis(hold.expires_at),
                hold.showtime_id.0,
                label.as_str()
            ],
        )
        .await?;
    }
    let booking = held_booking(hold, holds::quote(hold, &terms, free)?);
    tx.write_holds(&[], &[&booking]).await?;
    backend.commit(tx).await?;
    Ok(booking)
}
