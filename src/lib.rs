//! logit
