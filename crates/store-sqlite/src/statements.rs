//! How this store runs the shared SQL (`marquee_store::sql`): SQLite's reading of its text
//! (`for_sqlite`), in a `BEGIN IMMEDIATE` transaction, a reading one, or on a pool.

marquee_store::sql_driver!(
    sqlx::Sqlite,
    sqlx::SqlitePool,
    sqlx::sqlite::SqliteArguments<'q>,
    marquee_store::sql::for_sqlite
);
