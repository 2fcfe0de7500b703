//! Deutsch — Carrying out transfers of removed members' boxes (ORG-5).

pub const WORDS: &[(&str, &str)] = &[
    (
        "This transfer was carried out already, or you cannot carry it out.",
        "Diese Übertragung wurde bereits ausgeführt, oder Sie können sie nicht ausführen.",
    ),
    (
        "The removed member's boxes changed meanwhile. Reload the page and try again.",
        "Die Boxen des entfernten Mitglieds haben sich inzwischen geändert. Laden Sie die Seite neu und versuchen Sie es noch einmal.",
    ),
    (
        "{0} of their boxes could not be opened and stay behind.",
        "{0} seiner Boxen ließen sich nicht öffnen und bleiben zurück.",
    ),
    ("Moved {0} boxes of {1} into “{2}” for {3}.", "{0} Boxen von {1} wurden für {3} nach „{2}“ verschoben."),
    (
        "Account recovery holds their keys, so all their boxes move: a Liaison's browser moves them the next time a Liaison opens Configuration.",
        "Die Kontowiederherstellung hält die Schlüssel des Mitglieds, daher werden alle seine Boxen verschoben: Der Browser einer Liaison verschiebt sie, wenn eine Liaison das nächste Mal die Konfiguration öffnet.",
    ),
    (
        "Only a browser can open their boxes, and without account recovery holding their keys only the boxes shared with {0} can move ({0}'s browser moves them at their next visit to Boxes). Their other boxes stay behind, unreadable.",
        "Nur ein Browser kann die Boxen öffnen, und ohne Kontowiederherstellung können nur die mit {0} geteilten Boxen verschoben werden (der Browser von {0} verschiebt sie beim nächsten Besuch der Boxen). Die übrigen Boxen bleiben unlesbar zurück.",
    ),
    (
        "The key of {0} is not the one you last shared with, so the transfer to them was not carried out. Share something with them from a Share panel to compare their key fingerprint.",
        "Der Schlüssel von {0} ist nicht der, mit dem Sie zuletzt geteilt haben; die Übertragung an diese Person wurde daher nicht ausgeführt. Teilen Sie über einen Bereich „Teilen“ etwas mit ihr, um ihren Schlüssel-Fingerabdruck zu vergleichen.",
    ),
];
