//! # logit-cli
//!
//! The `logit` command: train a calibrated binary classifier on a CSV, evaluate it, and
//! predict with it. The library half holds the pieces the binary and the fuzz targets share.

pub mod evaluate;
pub mod export;
pub mod folder;
pub mod predict;
pub mod train;
