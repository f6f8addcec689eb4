//! How this store runs the shared SQL (`marquee_store::sql`), as written,
//! in a READ COMMITTED transaction or on the pool.

use async_trait::async_trait;
use marquee_store::sql::{FromRows, Sql, Value};
use marquee_store::{StoreError, StoreResult};
use sqlx::postgres::{PgArguments, PgPool};
use sqlx::{Executor, Postgres, Transaction};

/// A write transaction of the PostgreSQL store: rows a decision reads are locked (`FOR UPDATE`)
/// until it commits.
pub struct Tx(pub Transaction<'static, Postgres>);

/// The pool, for reads that need no transaction.
pub struct OnPool<'a>(pub &'a PgPool);

fn arguments(args: &[Value<'_>]) -> StoreResult<PgArguments> {
    use sqlx::Arguments;
    let mut bound = PgArguments::default();
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
    on: impl Executor<'e, Database = Postgres>,
    sql: &str,
    args: &[Value<'_>],
) -> StoreResult<u64> {
    Ok(sqlx::query_with(sql, arguments(args)?)
        .execute(on)
        .await?
        .rows_affected())
}

async fn fetch_all<'e, R: FromRows>(
    on: impl Executor<'e, Database = Postgres>,
    sql: &str,
    args: &[Value<'_>],
) -> StoreResult<Vec<R>> {
    Ok(sqlx::query_as_with(sql, arguments(args)?)
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
