//! ORG-12 organisation configuration and the PKG-8 permission model: each
//! permission has an organisation-wide mode, and under "only selected" each
//! member's own flag decides. New members get the organisation's defaults.

use serde::{Deserialize, Serialize};

/// A per-member permission (PKG-8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Permission {
    Login,
    Receive,
    SendPublic,
    SendInternal,
    SendPrivate,
    Briefcase,
    DownloadWithoutPassword,
    DownloadOwnSent,
    EncryptWithPassword,
    MfaExemption,
    Approve,
    SeeAllPending,
    SendWithoutApproval,
    ChooseApprover,
    SendToSelf,
    DetailedCheckResults,
    CooperativePackages,
    PersistentPackages,
    PersistentAccount,
}

impl Permission {
    pub const ALL: [Permission; 19] = [
        Permission::Login,
        Permission::Receive,
        Permission::SendPublic,
        Permission::SendInternal,
        Permission::SendPrivate,
        Permission::Briefcase,
        Permission::DownloadWithoutPassword,
        Permission::DownloadOwnSent,
        Permission::EncryptWithPassword,
        Permission::MfaExemption,
        Permission::Approve,
        Permission::SeeAllPending,
        Permission::SendWithoutApproval,
        Permission::ChooseApprover,
        Permission::SendToSelf,
        Permission::DetailedCheckResults,
        Permission::CooperativePackages,
        Permission::PersistentPackages,
        Permission::PersistentAccount,
    ];

    /// Stable code, stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Permission::Login => "login",
            Permission::Receive => "receive",
            Permission::SendPublic => "send_public",
            Permission::SendInternal => "send_internal",
            Permission::SendPrivate => "send_private",
            Permission::Briefcase => "briefcase",
            Permission::DownloadWithoutPassword => "download_without_password",
            Permission::DownloadOwnSent => "download_own_sent",
            Permission::EncryptWithPassword => "encrypt_with_password",
            Permission::MfaExemption => "mfa_exemption",
            Permission::Approve => "approve",
            Permission::SeeAllPending => "see_all_pending",
            Permission::SendWithoutApproval => "send_without_approval",
            Permission::ChooseApprover => "choose_approver",
            Permission::SendToSelf => "send_to_self",
            Permission::DetailedCheckResults => "detailed_check_results",
            Permission::CooperativePackages => "cooperative_packages",
            Permission::PersistentPackages => "persistent_packages",
            Permission::PersistentAccount => "persistent_account",
        }
    }

    pub fn from_code(code: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Permission::Login => "Sign in",
            Permission::Receive => "Receive packages",
            Permission::SendPublic => "Send public packages",
            Permission::SendInternal => "Send internal packages",
            Permission::SendPrivate => "Send private packages",
            Permission::Briefcase => "Briefcase",
            Permission::DownloadWithoutPassword => "Download without password",
            Permission::DownloadOwnSent => "Download own sent packages",
            Permission::EncryptWithPassword => "Encrypt with a password",
            Permission::MfaExemption => "Exempt from two-step sign-in",
            Permission::Approve => "Approve packages",
            Permission::SeeAllPending => "See all pending packages",
            Permission::SendWithoutApproval => "Send without approval",
            Permission::ChooseApprover => "Choose approver",
            Permission::SendToSelf => "Send to self",
            Permission::DetailedCheckResults => "Detailed check results",
            Permission::CooperativePackages => "Cooperative packages",
            Permission::PersistentPackages => "Persistent packages",
            Permission::PersistentAccount => "Persistent account (never locked for inactivity)",
        }
    }

    /// What a new organisation starts with: everyday permissions for
    /// everyone, the sensitive ones for nobody until an administrator opts in.
    fn initial(self) -> (FeatureMode, bool) {
        use Permission::*;
        match self {
            Login | Receive | SendPublic | SendInternal | SendPrivate | DownloadOwnSent
            | EncryptWithPassword | SendToSelf | SendWithoutApproval => {
                (FeatureMode::Everyone, true)
            }
            Briefcase | Approve | ChooseApprover | DetailedCheckResults | CooperativePackages
            | PersistentPackages => (FeatureMode::OnlySelected, false),
            DownloadWithoutPassword | MfaExemption | SeeAllPending | PersistentAccount => {
                (FeatureMode::Nobody, false)
            }
        }
    }
}

/// How a permission applies across an organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeatureMode {
    Everyone,
    OnlySelected,
    Nobody,
}

impl FeatureMode {
    pub const ALL: [FeatureMode; 3] = [
        FeatureMode::Everyone,
        FeatureMode::OnlySelected,
        FeatureMode::Nobody,
    ];
    pub fn label(self) -> &'static str {
        match self {
            FeatureMode::Everyone => "Everyone",
            FeatureMode::OnlySelected => "Only selected",
            FeatureMode::Nobody => "Nobody",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionSetting {
    pub permission: Permission,
    pub mode: FeatureMode,
    /// Whether new members get this permission (it matters under "only
    /// selected").
    pub default_on: bool,
}

/// ORG-12: one organisation's configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSettings {
    pub invitation_expiry_hours: u32,
    /// Consecutive wrong passwords that lock an account (ACC-6).
    pub lockout_threshold: u32,
    /// Lock accounts not signed in for this many days; 0 never.
    pub inactivity_lock_days: u32,
    /// Require a second factor of every member (takes effect with MFA).
    pub enforce_mfa: bool,
    /// One entry per permission, in `Permission::ALL` order.
    pub permissions: Vec<PermissionSetting>,
    /// BOX-10: days a deleted item waits in its box's trash before it is
    /// deleted for good.
    #[serde(default = "default_trash_days")]
    pub trash_retention_days: u32,
    /// BOX-5: whether outside recipients (Ad hoc members, invited by a
    /// share) take licence seats.
    #[serde(default)]
    pub outsiders_take_seats: bool,
}

fn default_trash_days() -> u32 {
    DEFAULT_TRASH_DAYS
}

pub const DEFAULT_TRASH_DAYS: u32 = 30;
pub const MAX_TRASH_DAYS: u32 = 3650;

pub const MAX_INVITATION_EXPIRY_HOURS: u32 = 24 * 30;
pub const MAX_LOCKOUT_THRESHOLD: u32 = 100;
pub const MAX_INACTIVITY_DAYS: u32 = 3650;

impl OrgSettings {
    /// A new organisation's configuration, from the instance's defaults.
    pub fn initial(invitation_expiry_hours: u32, lockout_threshold: u32) -> OrgSettings {
        OrgSettings {
            invitation_expiry_hours,
            lockout_threshold,
            inactivity_lock_days: 0,
            enforce_mfa: false,
            trash_retention_days: DEFAULT_TRASH_DAYS,
            outsiders_take_seats: false,
            permissions: Permission::ALL
                .into_iter()
                .map(|p| {
                    let (mode, default_on) = p.initial();
                    PermissionSetting {
                        permission: p,
                        mode,
                        default_on,
                    }
                })
                .collect(),
        }
    }

    pub fn setting(&self, p: Permission) -> PermissionSetting {
        self.permissions
            .iter()
            .copied()
            .find(|s| s.permission == p)
            .unwrap_or(PermissionSetting {
                permission: p,
                mode: p.initial().0,
                default_on: p.initial().1,
            })
    }

    /// Whether a member with these own flags has the permission.
    pub fn allows(&self, p: Permission, member_flags: &[Permission]) -> bool {
        match self.setting(p).mode {
            FeatureMode::Everyone => true,
            FeatureMode::Nobody => false,
            FeatureMode::OnlySelected => member_flags.contains(&p),
        }
    }

    /// The flags a new member starts with.
    pub fn default_flags(&self) -> Vec<Permission> {
        Permission::ALL
            .into_iter()
            .filter(|p| self.setting(*p).default_on)
            .collect()
    }

    /// Fills in permissions missing from a stored document (added in a
    /// later release) and puts them in the canonical order.
    pub fn normalised(mut self) -> OrgSettings {
        self.permissions = Permission::ALL
            .into_iter()
            .map(|p| self.setting(p))
            .collect();
        self
    }
}

/// A member's permissions as the Edit panel shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberPermission {
    pub permission: Permission,
    pub mode: FeatureMode,
    /// The member's own flag (decides under "only selected").
    pub selected: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_decide_and_only_selected_reads_the_member_flag() {
        let mut s = OrgSettings::initial(72, 10);
        assert!(s.allows(Permission::Login, &[]));
        assert!(!s.allows(Permission::MfaExemption, &[Permission::MfaExemption]));
        assert!(!s.allows(Permission::Briefcase, &[]));
        assert!(s.allows(Permission::Briefcase, &[Permission::Briefcase]));
        s.permissions[0].mode = FeatureMode::OnlySelected;
        assert!(!s.allows(Permission::Login, &[]));
        assert!(s.default_flags().contains(&Permission::Login));
    }

    #[test]
    fn stored_documents_gain_missing_permissions_in_order() {
        let mut s = OrgSettings::initial(72, 10);
        s.permissions
            .retain(|p| p.permission != Permission::Receive);
        s.permissions.reverse();
        let n = s.normalised();
        assert_eq!(n.permissions.len(), Permission::ALL.len());
        assert_eq!(n.permissions[1].permission, Permission::Receive);
        assert_eq!(n.permissions[0].permission, Permission::Login);
    }

    #[test]
    fn codes_round_trip() {
        for p in Permission::ALL {
            assert_eq!(Permission::from_code(p.code()), Some(p));
        }
    }
}
