//! `#[derive(Module)]` for nn-core.
