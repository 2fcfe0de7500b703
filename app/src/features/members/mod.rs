//! Members and groups (ORG-3…ORG-7): the Users page, a member's panel, groups.

pub mod groups;
pub mod member_panel;
pub mod users;
