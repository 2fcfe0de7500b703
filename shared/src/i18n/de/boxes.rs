//! Deutsch — Boxes and folders (BOX-1).

pub const WORDS: &[(&str, &str)] = &[
    ("Boxes", "Boxen"),
    ("Box", "Box"),
    ("New box", "Neue Box"),
    ("Create box", "Box anlegen"),
    ("New folder", "Neuer Ordner"),
    ("Create folder", "Ordner anlegen"),
    ("Box “{0}” created.", "Box „{0}“ angelegt."),
    ("Folder “{0}” created.", "Ordner „{0}“ angelegt."),
    (
        "Boxes shared with you appear here. Only Originators create boxes.",
        "Hier erscheinen Boxen, die mit Ihnen geteilt wurden. Nur Originators legen Boxen an.",
    ),
    ("You have no boxes yet.", "Sie haben noch keine Boxen."),
    ("Contents", "Inhalt"),
    ("Rename {0}", "{0} umbenennen"),
    ("New name for {0}", "Neuer Name für {0}"),
    ("Renamed to “{0}”.", "Umbenannt in „{0}“."),
    ("Created", "Angelegt"),
    ("Modified", "Geändert"),
    ("This folder is empty.", "Dieser Ordner ist leer."),
    ("Where you are", "Wo Sie sind"),
    ("The folder is still loading.", "Der Ordner wird noch geladen."),
    (
        "You are not a member of an organisation.",
        "Sie sind kein Mitglied einer Organisation.",
    ),
    (
        "Your keys are locked in this tab. Unlock them with your password first.",
        "Ihre Schlüssel sind in diesem Tab gesperrt. Entsperren Sie sie zuerst mit Ihrem Passwort.",
    ),
    (
        "The encryption keys could not be opened in this browser.",
        "Die Schlüssel konnten in diesem Browser nicht geöffnet werden.",
    ),
    (
        "This item was changed outside Coffer",
        "Dieses Element wurde außerhalb von Coffer verändert",
    ),
    (
        "Your boxes are encrypted with your keys, which are locked in this tab. Enter your password to unlock them; it never leaves this browser.",
        "Ihre Boxen sind mit Ihren Schlüsseln verschlüsselt, die in diesem Tab gesperrt sind. Geben Sie Ihr Passwort ein, um sie zu entsperren; es verlässt diesen Browser nie.",
    ),
    ("Only Originators can create boxes.", "Nur Originators können Boxen anlegen."),
    (
        "That box or folder does not exist, or you cannot see it.",
        "Diese Box oder dieser Ordner existiert nicht, oder Sie können sie nicht sehen.",
    ),
    (
        "An item with this id already exists.",
        "Ein Element mit dieser Kennung gibt es schon.",
    ),
    (
        "The item's key or sealed record is not valid.",
        "Der Schlüssel oder der versiegelte Datensatz des Elements ist ungültig.",
    ),
    (
        "Names are 1 to 255 characters, without “/”, and not only dots.",
        "Namen haben 1 bis 255 Zeichen, kein „/“ und nicht nur Punkte.",
    ),
    (
        "A box itself cannot be deleted yet; delete what is in it.",
        "Eine Box selbst kann noch nicht gelöscht werden; löschen Sie, was darin ist.",
    ),
    ("That item is not in the trash.", "Dieses Element ist nicht im Papierkorb."),
    (
        "The folder it was in is in the trash too: restore that first.",
        "Der Ordner, in dem es lag, ist auch im Papierkorb: stellen Sie zuerst ihn wieder her.",
    ),
    ("Trash", "Papierkorb"),
    ("Delete {0}", "{0} löschen"),
    ("Restore {0}", "{0} wiederherstellen"),
    ("“{0}” moved to the trash.", "„{0}“ in den Papierkorb verschoben."),
    ("“{0}” restored.", "„{0}“ wiederhergestellt."),
    ("The trash is empty.", "Der Papierkorb ist leer."),
    ("Was in", "Lag in"),
    ("Deleted", "Gelöscht"),
    ("Restore", "Wiederherstellen"),
    ("Delete", "Löschen"),
    ("Back to the box", "Zurück zur Box"),
];
