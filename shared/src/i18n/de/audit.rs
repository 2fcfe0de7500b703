//! Deutsch — The audit log (AUD-1).

pub const WORDS: &[(&str, &str)] = &[
    ("Action", "Aktion"),
    ("Actor", "Handelnde Person"),
    ("All actions", "Alle Aktionen"),
    (
        "Audit records, newest first",
        "Protokolleinträge, neueste zuerst",
    ),
    ("Details", "Details"),
    ("Invitations", "Einladungen"),
    ("Organisation", "Organisation"),
    ("Target", "Ziel"),
    ("Time", "Zeit"),
    ("{0} records", "{0} Einträge"),
    ("From", "Von"),
    (
        "The audit log is intact: {0} records checked.",
        "Das Prüfprotokoll ist unversehrt: {0} Einträge geprüft.",
    ),
    (
        "The audit log was tampered with: record {seq} fails ({why}).",
        "Das Prüfprotokoll wurde verändert: Eintrag {seq} ist fehlerhaft ({why}).",
    ),
    ("To", "Bis"),
];
