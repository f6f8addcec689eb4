use marquee_domain::{BookingStatus, Entity, LayoutError, LimitReached, ShowtimeError, ShowtimeId};

pub type StoreResult<T> = Result<T, StoreError>;

/// What a store call can answer besides success. Every case but `Database`, `Corrupt` and
/// `ReferenceTaken` (which the caller retries with a new reference) is the caller's doing.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(Entity),
    #[error("an account with this email exists already")]
    EmailTaken,
    #[error("no such seats: {}", .0.join(", "))]
    UnknownSeats(Vec<String>),
    #[error("seats not available: {}", .0.join(", "))]
    SeatsUnavailable(Vec<String>),
    #[error("{0}")]
    NotOnSale(ShowtimeError),
    #[error("{0}")]
    InvalidShowtime(ShowtimeError),
    #[error("{0}")]
    InvalidLayout(LayoutError),
    #[error("the auditorium is busy then with showtime {0}")]
    AuditoriumBusy(ShowtimeId),
    #[error("the booking is {from}; it cannot become {to}")]
    InvalidTransition {
        from: BookingStatus,
        to: BookingStatus,
    },
    #[error("{0}")]
    OverLimit(LimitReached),
    #[error("the booking reference is taken")]
    ReferenceTaken,
    #[error("{0} already exists")]
    Duplicate(&'static str),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    pub fn corrupt(what: impl std::fmt::Display) -> Self {
        StoreError::Corrupt(what.to_string())
    }

    fn database_error(&self) -> Option<&dyn sqlx::error::DatabaseError> {
        match self {
            StoreError::Database(source) => source
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
        StoreError::Database(Box::new(err))
    }
}
