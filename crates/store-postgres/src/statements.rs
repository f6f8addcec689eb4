//! How this store runs the shared SQL (`marquee_store::sql`), as it is written, in a READ
//! COMMITTED transaction (rows a decision reads locked `FOR UPDATE`), a read-only snapshot, or
//! on the pool.

marquee_store::sql_driver!(
    sqlx::Postgres,
    sqlx::PgPool,
    sqlx::postgres::PgArguments,
    marquee_store::sql::as_written
);
