//! The back office's pages, under `/admin`: one module per page.

pub mod today;
