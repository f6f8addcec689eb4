//! The store conformance suite on SQLite: each test on its own database file.

marquee_store::conformance_suite!(marquee_store_sqlite::testing::fresh_store);
