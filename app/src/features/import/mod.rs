//! Bulk import from CSV (IMP-*).

pub mod page;
