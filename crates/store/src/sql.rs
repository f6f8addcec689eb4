//! SQL that both backends run as it is written: one text, bound to the same values.
//!
//! The store's statements are written once, in PostgreSQL's dialect with two small functions:
//! `ms(t)` reads a stored time as Unix milliseconds and `ts($n)` stores bound milliseconds as a
//! time. PostgreSQL keeps `timestamptz` columns and has both functions in its schema; SQLite
//! keeps the milliseconds themselves, so for it `ms(` and `ts(` are plain parentheses, and a
//! row lock (`FOR UPDATE ...`, last on its line) is dropped: its write transaction holds the
//! only write lock (`BEGIN IMMEDIATE`). Both read `$1`-style parameters. SQL that must differ
//! (the batched hold path, arrays, date types) stays in the backend crates.
//!
//! A backend runs the text through `Sql`, which each backend implements for its transactions
//! and pools, so the store's shared step order (`writes`, `reads`) never names a driver.

use crate::StoreResult;
use async_trait::async_trait;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use std::borrow::Cow;

/// A value bound to a parameter: the few types the store's columns take.
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    Int(i64),
    OptInt(Option<i64>),
    Text(&'a str),
    OptText(Option<&'a str>),
    Bytes(&'a [u8]),
}

impl From<i64> for Value<'_> {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<Option<i64>> for Value<'_> {
    fn from(v: Option<i64>) -> Self {
        Value::OptInt(v)
    }
}
impl<'a> From<&'a str> for Value<'a> {
    fn from(v: &'a str) -> Self {
        Value::Text(v)
    }
}
impl<'a> From<&'a String> for Value<'a> {
    fn from(v: &'a String) -> Self {
        Value::Text(v)
    }
}
impl<'a> From<Option<&'a str>> for Value<'a> {
    fn from(v: Option<&'a str>) -> Self {
        Value::OptText(v)
    }
}
impl<'a> From<&'a Option<String>> for Value<'a> {
    fn from(v: &'a Option<String>) -> Self {
        Value::OptText(v.as_deref())
    }
}
impl<'a> From<&'a [u8]> for Value<'a> {
    fn from(v: &'a [u8]) -> Self {
        Value::Bytes(v)
    }
}

/// The arguments of a statement: `args![a, b, c]`.
#[macro_export]
macro_rules! args {
    ($($value:expr),* $(,)?) => {
        &[$($crate::sql::Value::from($value)),*]
    };
}

/// A row type both drivers decode.
pub trait FromRows:
    for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> FromRows for T where
    T: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin
{
}

/// Runs the store's shared SQL on one backend: in a transaction, or on a pool.
#[async_trait]
pub trait Sql: Send {
    /// Answers how many rows the statement changed.
    async fn execute(&mut self, sql: &str, args: &[Value<'_>]) -> StoreResult<u64>;
    async fn fetch_all<R: FromRows>(
        &mut self,
        sql: &str,
        args: &[Value<'_>],
    ) -> StoreResult<Vec<R>>;

    async fn fetch_optional<R: FromRows>(
        &mut self,
        sql: &str,
        args: &[Value<'_>],
    ) -> StoreResult<Option<R>> {
        Ok(self.fetch_all(sql, args).await?.into_iter().next())
    }

    /// The first column of each row.
    async fn fetch_column<T>(&mut self, sql: &str, args: &[Value<'_>]) -> StoreResult<Vec<T>>
    where
        (T,): FromRows,
        T: Send,
    {
        let rows: Vec<(T,)> = self.fetch_all(sql, args).await?;
        Ok(rows.into_iter().map(|(value,)| value).collect())
    }
}

/// Functions the schema gives PostgreSQL that SQLite reads as plain parentheses: `ms(t)` (a time
/// as milliseconds), `ts(ms)` (milliseconds as a time) and `day(d)` (a date as `YYYY-MM-DD`).
/// SQLite stores times as milliseconds and dates as that text already.
const WRAPPERS: [&str; 3] = ["ms(", "ts(", "day("];

/// The row locks SQLite drops: its write transaction holds the only write lock.
const ROW_LOCKS: [&str; 3] = ["FOR UPDATE", "FOR KEY SHARE", "FOR SHARE"];

/// The text SQLite runs for shared SQL (see the module's comment): the wrappers become
/// parentheses, casts (`$1::int8`) go, and so does a row lock (`FOR UPDATE ...`,
/// `FOR KEY SHARE` or `FOR SHARE`, last on its line).
pub fn for_sqlite(sql: &str) -> Cow<'_, str> {
    if !WRAPPERS.iter().any(|w| sql.contains(w))
        && !sql.contains("::")
        && !ROW_LOCKS.iter().any(|lock| sql.contains(lock))
    {
        return Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len());
    for line in sql.split_inclusive('\n') {
        let (code, end) = match row_lock(line) {
            Some(at) => (
                line[..at].trim_end(),
                if line.ends_with('\n') { "\n" } else { "" },
            ),
            None => (line, ""),
        };
        let mut rest = code;
        while !rest.is_empty() {
            if let Some(wrapper) = WRAPPERS
                .iter()
                .find(|w| rest.starts_with(**w) && word_starts(&out))
            {
                out.push('(');
                rest = &rest[wrapper.len()..];
            } else if let Some(cast) = rest.strip_prefix("::") {
                let name = cast
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(cast.len());
                rest = cast[name..].strip_prefix("[]").unwrap_or(&cast[name..]);
            } else {
                let c = rest.chars().next().unwrap_or(' ');
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        out.push_str(end);
    }
    Cow::Owned(out)
}

/// Where a row lock (`ROW_LOCKS`, which runs to the end of its line) starts in `line`.
fn row_lock(line: &str) -> Option<usize> {
    ROW_LOCKS
        .iter()
        .flat_map(|lock| line.match_indices(lock))
        .map(|(at, _)| at)
        .filter(|&at| word_starts(&line[..at]))
        .min()
}

/// Whether a name starting after `written` starts a word (is not the end of a longer name).
fn word_starts(written: &str) -> bool {
    !written
        .chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `count` rows of `columns` parameters each, numbered from `$first`, for a multi-row
/// `VALUES`: `($1, $2), ($3, $4)`. Each row is `shape` with `?` for its parameters in order, so
/// a column can be wrapped: `"(?, ts(?))"`. The one way the store binds many rows at once.
pub fn rows(count: usize, shape: &str, first: usize) -> String {
    let per_row = shape.matches('?').count();
    let mut next = first;
    let mut out = String::new();
    for row in 0..count {
        if row > 0 {
            out.push_str(", ");
        }
        for part in shape.split_inclusive('?') {
            match part.strip_suffix('?') {
                Some(before) => {
                    out.push_str(before);
                    out.push_str(&format!("${next}"));
                    next += 1;
                }
                None => out.push_str(part),
            }
        }
    }
    debug_assert_eq!(next, first + count * per_row);
    out
}

/// A backend's `Sql`: `Tx`, a transaction, and `OnPool`, its pool, running the shared SQL after
/// `$text` reads it (`for_sqlite`, or as it is). Written once for both drivers; a macro because
/// sqlx's drivers share no trait that binds our values and decodes our rows without a wall of
/// bounds. `$args` names the driver's arguments type with the lifetime `'q`.
#[macro_export]
macro_rules! sql_driver {
    ($db:ty, $pool:ty, $args:ty, $text:path) => {
        /// A transaction of this store.
        pub struct Tx(pub sqlx::Transaction<'static, $db>);

        /// A pool of this store, for statements that need no transaction of their own.
        pub struct OnPool<'a>(pub &'a $pool);

        fn arguments<'q>(args: &[$crate::sql::Value<'q>]) -> $crate::StoreResult<$args> {
            use sqlx::Arguments;
            use $crate::sql::Value;
            let mut bound = <$args>::default();
            for value in args {
                match *value {
                    Value::Int(v) => bound.add(v),
                    Value::OptInt(v) => bound.add(v),
                    Value::Text(v) => bound.add(v),
                    Value::OptText(v) => bound.add(v),
                    Value::Bytes(v) => bound.add(v),
                }
                .map_err($crate::StoreError::Database)?;
            }
            Ok(bound)
        }

        async fn execute<'e>(
            on: impl sqlx::Executor<'e, Database = $db>,
            sql: &str,
            args: &[$crate::sql::Value<'_>],
        ) -> $crate::StoreResult<u64> {
            let sql = $text(sql);
            Ok(sqlx::query_with(&sql, arguments(args)?)
                .execute(on)
                .await?
                .rows_affected())
        }

        async fn fetch_all<'e, R: $crate::sql::FromRows>(
            on: impl sqlx::Executor<'e, Database = $db>,
            sql: &str,
            args: &[$crate::sql::Value<'_>],
        ) -> $crate::StoreResult<Vec<R>> {
            let sql = $text(sql);
            Ok(sqlx::query_as_with(&sql, arguments(args)?)
                .fetch_all(on)
                .await?)
        }

        #[async_trait::async_trait]
        impl $crate::sql::Sql for Tx {
            async fn execute(
                &mut self,
                sql: &str,
                args: &[$crate::sql::Value<'_>],
            ) -> $crate::StoreResult<u64> {
                execute(&mut *self.0, sql, args).await
            }
            async fn fetch_all<R: $crate::sql::FromRows>(
                &mut self,
                sql: &str,
                args: &[$crate::sql::Value<'_>],
            ) -> $crate::StoreResult<Vec<R>> {
                fetch_all(&mut *self.0, sql, args).await
            }
        }

        #[async_trait::async_trait]
        impl $crate::sql::Sql for OnPool<'_> {
            async fn execute(
                &mut self,
                sql: &str,
                args: &[$crate::sql::Value<'_>],
            ) -> $crate::StoreResult<u64> {
                execute(self.0, sql, args).await
            }
            async fn fetch_all<R: $crate::sql::FromRows>(
                &mut self,
                sql: &str,
                args: &[$crate::sql::Value<'_>],
            ) -> $crate::StoreResult<Vec<R>> {
                fetch_all(self.0, sql, args).await
            }
        }
    };
}

/// PostgreSQL runs the shared SQL as it is written.
pub fn as_written(sql: &str) -> Cow<'_, str> {
    Cow::Borrowed(sql)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_reads_the_time_functions_as_parentheses_and_drops_row_locks() {
        let sql = "SELECT ms(b.expires_at) AS expires_at, items(x) FROM bookings b
             WHERE b.id = $1 AND b.updated_at <= ts($2) FOR UPDATE OF b
             ORDER BY b.id";
        assert_eq!(
            for_sqlite(sql),
            "SELECT (b.expires_at) AS expires_at, items(x) FROM bookings b
             WHERE b.id = $1 AND b.updated_at <= ($2)
             ORDER BY b.id"
        );
        let plain = "SELECT id FROM forms WHERE terms = $1";
        assert!(matches!(for_sqlite(plain), Cow::Borrowed(_)));
        assert_eq!(
            for_sqlite("SELECT day(e.release_date) WHERE ($1::int8 IS NULL OR today(x) = $1)"),
            "SELECT (e.release_date) WHERE ($1 IS NULL OR today(x) = $1)"
        );
        assert_eq!(
            for_sqlite("SELECT id FROM t WHERE id = ANY($1::int8[])\nFOR UPDATE\nLIMIT 1"),
            "SELECT id FROM t WHERE id = ANY($1)\n\nLIMIT 1"
        );
        assert_eq!(
            for_sqlite("SELECT price FROM showtimes WHERE id = $1 FOR KEY SHARE"),
            "SELECT price FROM showtimes WHERE id = $1"
        );
        assert_eq!(
            for_sqlite("SELECT id FROM showtimes WHERE id = $1 FOR SHARE"),
            "SELECT id FROM showtimes WHERE id = $1"
        );
    }

    #[test]
    fn rows_number_their_parameters_in_order() {
        assert_eq!(rows(2, "(?, ts(?))", 3), "($3, ts($4)), ($5, ts($6))");
        assert_eq!(rows(1, "(?)", 1), "($1)");
    }
}
