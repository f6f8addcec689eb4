//! The audit log: every staff write, with who made it, when, and the values before and after.
//!
//! An entry is written in the transaction of the write it records, so there is never a change
//! without its entry, nor an entry for a change that rolled back. The values are rendered by
//! the caller (`Audit::render`, the API's own JSON of the thing), read inside the
//! transaction before and after the change.

use crate::args;
use crate::codec::{instant, millis};
use crate::sql::Sql;
use crate::StoreResult;
use chrono::{DateTime, Utc};
use marquee_domain::{UserId, VenueId};
use serde_json::Value;

/// Who makes a change: a member of staff, whose change is audited with `render`; or Marquee
/// itself (the demo catalog, tests), which is not.
pub enum Actor<T> {
    Staff(Audit<T>),
    System,
}

/// How a staff write of a `T` is recorded.
pub struct Audit<T> {
    pub actor: UserId,
    pub at: DateTime<Utc>,
    /// What the write was, e.g. `venue.update`.
    pub action: &'static str,
    /// The values before and after, as the API shows them.
    pub render: fn(&T) -> Value,
}

impl<T> Actor<T> {
    pub fn staff(
        actor: UserId,
        at: DateTime<Utc>,
        action: &'static str,
        render: fn(&T) -> Value,
    ) -> Self {
        Actor::Staff(Audit {
            actor,
            at,
            action,
            render,
        })
    }
}

/// What a change touched: the kind of thing, its id, and the venue it belongs to (for the
/// venue filter of the log).
#[derive(Debug, Clone, Copy)]
pub struct Touched {
    pub entity: &'static str,
    pub id: Option<i64>,
    pub venue: Option<VenueId>,
}

/// Records `actor`'s change of `touched` from `before` to `after` (either may be absent: a
/// creation has no before, a deletion no after); nothing for a change by the system.
pub async fn record<T>(
    tx: &mut impl Sql,
    actor: &Actor<T>,
    touched: Touched,
    before: Option<&T>,
    after: Option<&T>,
) -> StoreResult<()> {
    let Actor::Staff(audit) = actor else {
        return Ok(());
    };
    let before = before.map(|v| (audit.render)(v).to_string());
    let after = after.map(|v| (audit.render)(v).to_string());
    record_json(
        tx,
        audit.actor,
        audit.at,
        audit.action,
        touched,
        before.as_deref(),
        after.as_deref(),
    )
    .await
}

/// Records a change whose values are JSON already (staff changes, which no API type renders).
pub async fn record_json(
    tx: &mut impl Sql,
    actor: UserId,
    at: DateTime<Utc>,
    action: &str,
    touched: Touched,
    before: Option<&str>,
    after: Option<&str>,
) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO audit_log (at, actor_id, action, entity, entity_id, venue_id, before_json,
                                after_json)
         VALUES (ts($1), $2, $3, $4, $5, $6, $7, $8)",
        args![
            millis(at),
            actor.0,
            action,
            touched.entity,
            touched.id,
            touched.venue.map(|v| v.0),
            before,
            after
        ],
    )
    .await?;
    Ok(())
}

/// Which entries to read: all filters are optional; newest first, `limit` at a time, older
/// than the entry `before` when paging on.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<UserId>,
    /// Entries of these venues only (a venue-scoped reader's own venues, or one asked for).
    pub venues: Option<Vec<VenueId>>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub before: Option<i64>,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: Option<UserId>,
    pub actor_email: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub venue: Option<VenueId>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    at: i64,
    actor_id: Option<i64>,
    actor_email: Option<String>,
    action: String,
    entity: String,
    entity_id: Option<i64>,
    venue_id: Option<i64>,
    before_json: Option<String>,
    after_json: Option<String>,
}

impl AuditRow {
    fn decode(self) -> StoreResult<AuditRecord> {
        let json = |text: Option<String>| -> StoreResult<Option<Value>> {
            text.map(|t| serde_json::from_str(&t).map_err(crate::StoreError::corrupt))
                .transpose()
        };
        Ok(AuditRecord {
            id: self.id,
            at: instant(self.at)?,
            actor: self.actor_id.map(UserId),
            actor_email: self.actor_email,
            action: self.action,
            entity: self.entity,
            entity_id: self.entity_id,
            venue: self.venue_id.map(VenueId),
            before: json(self.before_json)?,
            after: json(self.after_json)?,
        })
    }
}

/// Venue ids are bound as one comma-separated text (`,1,2,`), matched with LIKE, so the
/// statement is the same text on both backends whatever the number of venues.
pub async fn list(on: &mut impl Sql, filter: &AuditFilter) -> StoreResult<Vec<AuditRecord>> {
    let venues = filter.venues.as_ref().map(|venues| {
        let ids: Vec<String> = venues.iter().map(|v| v.0.to_string()).collect();
        format!(",{},", ids.join(","))
    });
    on.fetch_all::<AuditRow>(
        "SELECT l.id, ms(l.at) AS at, l.actor_id, u.email AS actor_email, l.action, l.entity,
                l.entity_id, l.venue_id, l.before_json, l.after_json
         FROM audit_log l LEFT JOIN users u ON u.id = l.actor_id
         WHERE ($1::int8 IS NULL OR l.actor_id = $1)
           AND ($2::text IS NULL OR $2 LIKE '%,' || l.venue_id || ',%')
           AND ($3::int8 IS NULL OR l.at >= ts($3))
           AND ($4::int8 IS NULL OR l.at < ts($4))
           AND ($5::int8 IS NULL OR l.id < $5)
         ORDER BY l.id DESC
         LIMIT $6",
        args![
            filter.actor.map(|a| a.0),
            venues.as_deref(),
            filter.from.map(millis),
            filter.until.map(millis),
            filter.before,
            i64::from(filter.limit)
        ],
    )
    .await?
    .into_iter()
    .map(AuditRow::decode)
    .collect()
}
