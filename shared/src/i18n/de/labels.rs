//! Deutsch — Labels and clearances (BOX-4).

pub const WORDS: &[(&str, &str)] = &[
    ("Label", "Kennzeichnung"),
    ("Labels", "Kennzeichnungen"),
    ("Members cleared", "Freigegebene Mitglieder"),
    ("Items", "Elemente"),
    ("Remove label {0}", "Kennzeichnung {0} entfernen"),
    (
        "An item with a label is shared only with members cleared for it. Clear members in their Edit panel on the Users page. Removing a label takes it off every item.",
        "Ein gekennzeichnetes Element wird nur mit Mitgliedern geteilt, die dafür freigegeben sind. Mitglieder geben Sie in ihrem Bearbeiten-Bereich auf der Seite Benutzer frei. Eine entfernte Kennzeichnung verschwindet von allen Elementen.",
    ),
    ("New label", "Neue Kennzeichnung"),
    ("Add label", "Kennzeichnung hinzufügen"),
    ("No labels yet.", "Noch keine Kennzeichnungen."),
    ("Label {0} was added.", "Kennzeichnung {0} wurde hinzugefügt."),
    ("Label {0} was removed.", "Kennzeichnung {0} wurde entfernt."),
    ("Clearances saved.", "Freigaben gespeichert."),
    (
        "Clearances saved. {0} shares they are no longer cleared for were removed.",
        "Freigaben gespeichert. {0} Freigaben, für die keine Berechtigung mehr besteht, wurden entfernt.",
    ),
    ("Clearances of {0}", "Freigaben von {0}"),
    ("Clearances", "Freigaben"),
    ("This organisation has no labels yet.", "Diese Organisation hat noch keine Kennzeichnungen."),
    ("Cleared for", "Freigegeben für"),
    (
        "Taking a clearance away removes the shares it no longer covers.",
        "Wird eine Freigabe entzogen, werden die Freigaben entfernt, die sie nicht mehr abdeckt.",
    ),
    ("Save clearances", "Freigaben speichern"),
    ("The label is now {0}.", "Die Kennzeichnung ist jetzt {0}."),
    ("The label was taken off.", "Die Kennzeichnung wurde entfernt."),
    ("No label", "Keine Kennzeichnung"),
    ("Set label", "Kennzeichnung setzen"),
    ("Changed the label", "Kennzeichnung geändert"),
    ("Label names are 1 to 40 characters.", "Namen von Kennzeichnungen haben 1 bis 40 Zeichen."),
    ("A label with this name already exists.", "Eine Kennzeichnung mit diesem Namen gibt es bereits."),
    ("That label does not exist in this organisation.", "Diese Kennzeichnung gibt es in dieser Organisation nicht."),
    (
        "Someone with access to this item is not cleared for that label. Remove their access, or have an administrator clear them, first.",
        "Jemand mit Zugriff auf dieses Element ist für diese Kennzeichnung nicht freigegeben. Entfernen Sie zuerst den Zugriff oder lassen Sie die Person von einem Administrator freigeben.",
    ),
    (
        "That member is not cleared for a label on this item, or on something in it or above it.",
        "Dieses Mitglied ist für eine Kennzeichnung dieses Elements, eines darin enthaltenen oder eines übergeordneten Elements nicht freigegeben.",
    ),
];
