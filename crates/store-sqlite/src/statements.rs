//! How this store runs the shared SQL (`marquee_store::sql`): SQLite's reading of its text,
//! in a `BEGIN IMMEDIATE` transaction or on the reading pool.

use async_trait::async_trait;
use marquee_store::sql::{for_sqlite, FromRows, Sql, Value};
use marquee_store::{StoreError, StoreResult};
use sqlx::sqlite::{SqliteArguments, SqlitePool};
use sqlx::{Executor, Sqlite, Transaction};

/// A write transaction of the SQLite store: it holds the only write lock, so what a statement
/// reads stays so until the commit.
pub struct Tx(pub Transaction<'static, Sqlite>);

/// The reading pool, for reads that need no transaction.
pub struct OnPool<'a>(pub &'a SqlitePool);

fn arguments<'q>(args: &[Value<'q>]) -> StoreResult<SqliteArguments<'q>> {
    use sqlx::Arguments;
    let mut bound = SqliteArguments::default();
    for value in args {
        match *value {
            Value::Int(v) => bound.add(v),
            Value::OptInt(v) => bound.add(v),
            Value::Text(v) => bound.add(v),
            Value::OptText(v) => bound.add(v),
            Value::Bytes(v) => bound.add(v),
        }
        .map_err(StoreError::Database)?;
    }
    Ok(bound)
}

async fn execute<'e>(
    on: impl Executor<'e, Database = Sqlite>,
    sql: &str,
    args: &[Value<'_>],
) -> StoreResult<u64> {
    let sql = for_sqlite(sql);
    Ok(sqlx::query_with(&sql, arguments(args)?)
        .execute(on)
        .await?
        .rows_affected())
}

async fn fetch_all<'e, R: FromRows>(
    on: impl Executor<'e, Database = Sqlite>,
    sql: &str,
    args: &[Value<'_>],
) -> StoreResult<Vec<R>> {
    let sql = for_sqlite(sql);
    Ok(sqlx::query_as_with(&sql, arguments(args)?)
        .fetch_all(on)
        .await?)
}

#[async_trait]
impl Sql for Tx {
    async fn execute(&mut self, sql: &str, args: &[Value<'_>]) -> StoreResult<u64> {
        execute(&mut *self.0, sql, args).await
    }
    async fn fetch_all<R: FromRows>(
        &mut self,
        sql: &str,
        args: &[Value<'_>],
    ) -> StoreResult<Vec<R>> {
        fetch_all(&mut *self.0, sql, args).await
    }
}

#[async_trait]
impl Sql for OnPool<'_> {
    async fn execute(&mut self, sql: &str, args: &[Value<'_>]) -> StoreResult<u64> {
        execute(self.0, sql, args).await
    }
    async fn fetch_all<R: FromRows>(
        &mut self,
        sql: &str,
        args: &[Value<'_>],
    ) -> StoreResult<Vec<R>> {
        fetch_all(self.0, sql, args).await
    }
}
