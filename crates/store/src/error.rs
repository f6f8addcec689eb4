use marquee_domain::{BookingStatus, Entity, LayoutError, LimitReached, ShowtimeError, ShowtimeId};

pub type StoreResult<T> = Result<T, StoreError>;

/// What a store call can answer besides success. Every case but `Database`, `Unavailable`,
/// `Corrupt` and `ReferenceTaken` (which the caller retries with a new reference) is the
/// caller's doing.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(Entity),
    #[error("an account with this email exists already")]
    EmailTaken,
    #[error("no such seats: {}", .0.join(", "))]
    UnknownSeats(Vec<String>),
    #[error("the showtime sells no ticket type {}", .0.join(", "))]
    UnknownTicketTypes(Vec<String>),
    #[error("seats not available: {}", .0.join(", "))]
    SeatsUnavailable(Vec<String>),
    #[error("{0}")]
    NotOnSale(ShowtimeError),
    #[error("{0}")]
    InvalidShowtime(ShowtimeError),
    #[error("{0}")]
    InvalidLayout(LayoutError),
    /// Upcoming showtimes that cannot take a hall's new layout: each, and why.
    #[error("{} scheduled showtime(s) cannot take the new layout", .0.len())]
    LayoutConflict(Vec<crate::layout_follow::ShowtimeLayoutConflict>),
    #[error("the auditorium is busy then with showtime {0}")]
    AuditoriumBusy(ShowtimeId),
    /// Showtimes that would overlap others in their hall: every clash.
    #[error("{} showtime(s) would clash in the hall", .0.len())]
    ScheduleConflict(Vec<crate::scheduling::ScheduleClash>),
    #[error("{0}")]
    InvalidSchedule(marquee_domain::schedule::ScheduleError),
    #[error("the venue has no price plan to price its showtimes")]
    NoPricePlan,
    /// A showtime with bookings (`live`: holding or having bought seats now) cannot be
    /// moved (live) or deleted (any).
    #[error("the showtime has {}bookings", if *live { "live " } else { "" })]
    ShowtimeHasBookings { live: bool },
    /// A showtime with blocked seats is not moved to another hall, whose seats would replace
    /// them.
    #[error("the showtime has blocked seats; unblock them before moving it to another hall")]
    ShowtimeHasBlockedSeats,
    /// A move to another hall that finds no place for these seats (old labels) people have.
    #[error("the new hall has no place for seat(s) {}", .0.join(", "))]
    MoveUnseats(Vec<String>),
    /// No move of the booking's showtime offers an exchange or a full refund (none was made,
    /// the customer has answered it, or the showtime has started).
    #[error("the booking's showtime was not moved, or its offer is closed")]
    MoveNotOpen,
    #[error("the booking is {from}; it cannot become {to}")]
    InvalidTransition {
        from: BookingStatus,
        to: BookingStatus,
    },
    #[error("{0}")]
    OverLimit(LimitReached),
    /// A cancellation refused: why (nothing changed).
    #[error("{0}")]
    CannotCancel(marquee_domain::cancellation::CancelRefused),
    #[error("the booking reference is taken")]
    ReferenceTaken,
    #[error("{0} already exists")]
    Duplicate(&'static str),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    /// The database cannot be reached, or did not answer in time (no free connection, a
    /// statement or lock timeout, the server shutting down): trying again later may work.
    #[error("the database is unavailable: {0}")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("database error: {0}")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    pub fn corrupt(what: impl std::fmt::Display) -> Self {
        StoreError::Corrupt(what.to_string())
    }

    fn database_error(&self) -> Option<&dyn sqlx::error::DatabaseError> {
        match self {
            StoreError::Database(source) | StoreError::Unavailable(source) => source
                .downcast_ref::<sqlx::Error>()
                .and_then(|e| e.as_database_error()),
            _ => None,
        }
    }

    /// A UNIQUE constraint (or primary key) failed, on either backend.
    pub fn is_unique_violation(&self) -> bool {
        self.database_error()
            .is_some_and(|e| e.is_unique_violation())
    }

    /// A FOREIGN KEY constraint failed, on either backend: what it names does not exist.
    pub fn is_foreign_key_violation(&self) -> bool {
        self.database_error()
            .is_some_and(|e| e.is_foreign_key_violation())
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        if is_unavailability(&err) {
            StoreError::Unavailable(Box::new(err))
        } else {
            StoreError::Database(Box::new(err))
        }
    }
}

/// Whether an error says the database is out of reach or too slow now, not that the
/// statement was wrong: no connection to be had in time, a connection that broke, or
/// PostgreSQL cancelling a statement (57014 `statement_timeout`), giving up on a lock (55P03
/// `lock_timeout`), shutting down (57P01-57P03) or losing the connection (class 08).
fn is_unavailability(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            matches!(&*code, "57014" | "55P03" | "57P01" | "57P02" | "57P03")
                || code.starts_with("08")
        }),
        _ => false,
    }
}
