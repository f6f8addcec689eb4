//! The back office's pages, under `/admin`: one module per page.

pub mod join;
pub mod today;
pub mod totp;
