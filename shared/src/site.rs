//! Which of the two browser apps the server serves for a path.

/// The front door's pages (`coffer-front`, see `app/src/front.rs`): what a
/// visitor needs before signing in, and the two-step set-up that can follow
/// it. Every other path gets the full app.
pub const FRONT_DOOR_PATHS: &[&str] = &[
    "/",
    "/setup",
    "/sign-in",
    "/invite",
    "/reset",
    "/unlock",
    "/two-step-setup",
];
