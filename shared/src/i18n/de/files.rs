//! Deutsch — Files: upload, download (BOX-1, CRY-2).

pub const WORDS: &[(&str, &str)] = &[
    ("Storage", "Speicher"),
    ("Storage in {0}", "Speicher in {0}"),
    ("Storage used", "Belegter Speicher"),
    ("{0} of {1} used", "{0} von {1} belegt"),
    ("{0} used", "{0} belegt"),
    ("Usage", "Belegung"),
    ("Preview {0}", "Vorschau von {0}"),
    ("Preview of {0}", "Vorschau: {0}"),
    ("Close preview", "Vorschau schließen"),
    (
        "This file is too large to preview; download it instead.",
        "Diese Datei ist für eine Vorschau zu groß; laden Sie sie herunter.",
    ),
    ("Download", "Herunterladen"),
    ("Download {0}", "{0} herunterladen"),
    ("Folder", "Ordner"),
    ("Retry", "Erneut versuchen"),
    ("Retry {0}", "{0} erneut versuchen"),
    ("Size", "Größe"),
    ("Type", "Typ"),
    (
        "The browser could not read this file.",
        "Der Browser konnte diese Datei nicht lesen.",
    ),
    (
        "The connection to Coffer was lost and did not come back; try again.",
        "Die Verbindung zu Coffer ist abgebrochen und kam nicht zurück; versuchen Sie es erneut.",
    ),
    (
        "This folder is empty. Drop files or folders here to upload them.",
        "Dieser Ordner ist leer. Legen Sie Dateien oder Ordner hier ab, um sie hochzuladen.",
    ),
    (
        "The browser could not read “{0}” from what was dropped.",
        "Der Browser konnte „{0}“ aus dem Abgelegten nicht lesen.",
    ),
    ("Upload files", "Dateien hochladen"),
    ("Upload of {0}", "Upload von {0}"),
    ("Uploaded", "Hochgeladen"),
    ("Uploads", "Uploads"),
    ("Waiting", "Wartet"),
    ("{0} s left", "noch {0} s"),
    ("“{0}” downloaded.", "„{0}“ heruntergeladen."),
    ("Showing {0} of {1}.", "{0} von {1} angezeigt."),
    ("Show more", "Mehr anzeigen"),
    ("{0} of {1} uploaded", "{0} von {1} hochgeladen"),
    (
        "Downloading “{0}”: {1} of {2}",
        "„{0}“ wird heruntergeladen: {1} von {2}",
    ),
    (
        "The browser could not write the file; check the space on the disk.",
        "Der Browser konnte die Datei nicht schreiben; prüfen Sie den Platz auf dem Datenträger.",
    ),
    (
        "That upload does not exist, has expired, or is not yours.",
        "Dieser Upload existiert nicht, ist abgelaufen oder gehört nicht Ihnen.",
    ),
    (
        "That file does not exist, or you cannot see it.",
        "Diese Datei existiert nicht, oder Sie können sie nicht sehen.",
    ),
    (
        "The file's header or size is not valid.",
        "Kopfdaten oder Größe der Datei sind ungültig.",
    ),
    (
        "Part {part} is not part of this upload.",
        "Teil {part} gehört nicht zu diesem Upload.",
    ),
    (
        "Part {part} must be {expected} bytes; {received} arrived.",
        "Teil {part} muss {expected} Bytes lang sein; {received} sind angekommen.",
    ),
    (
        "Part {part} did not arrive intact (its SHA-256 differs).",
        "Teil {part} ist nicht unversehrt angekommen (sein SHA-256 weicht ab).",
    ),
    (
        "Part {part} was already received with different content.",
        "Teil {part} wurde bereits mit anderem Inhalt empfangen.",
    ),
    (
        "The upload is missing {missing} of its parts.",
        "Dem Upload fehlen {missing} seiner Teile.",
    ),
    (
        "The upload's signature does not match its parts.",
        "Die Signatur des Uploads passt nicht zu seinen Teilen.",
    ),
    (
        "Set up your signing key first (sign in again).",
        "Richten Sie zuerst Ihren Signaturschlüssel ein (melden Sie sich erneut an).",
    ),
    (
        "Your signing key is already set.",
        "Ihr Signaturschlüssel ist bereits eingerichtet.",
    ),
    (
        "This file was changed outside Coffer",
        "Diese Datei wurde außerhalb von Coffer verändert",
    ),
    (
        "Choose an export passphrase of at least 12 characters.",
        "Wählen Sie eine Export-Passphrase mit mindestens 12 Zeichen.",
    ),
    (
        "The two export passphrases differ.",
        "Die beiden Export-Passphrasen stimmen nicht überein.",
    ),
    ("Upload a folder", "Ordner hochladen"),
    ("Pause", "Anhalten"),
    ("Resume", "Fortsetzen"),
    ("Cancelled", "Abgebrochen"),
    ("Pause {0}", "{0} anhalten"),
    ("Resume {0}", "{0} fortsetzen"),
    ("Cancel {0}", "{0} abbrechen"),
    ("Paused at {0} of {1}", "Angehalten bei {0} von {1}"),
    (
        "The page was reloaded while these files were uploading, so they stopped: {0}. Upload them again to finish.",
        "Die Seite wurde neu geladen, während diese Dateien hochgeladen wurden, daher wurden sie angehalten: {0}. Laden Sie sie erneut hoch, um sie abzuschließen.",
    ),
    ("Export", "Exportieren"),
    ("Export box", "Box exportieren"),
    ("Export folder", "Ordner exportieren"),
    ("Export passphrase", "Export-Passphrase"),
    ("The same passphrase again", "Dieselbe Passphrase noch einmal"),
    ("Checking every file…", "Alle Dateien werden geprüft …"),
    ("{0} of {1} written", "{0} von {1} geschrieben"),
    (
        "“{0}” exported. The README inside says how to open it with age.",
        "„{0}“ exportiert. Die README darin erklärt, wie Sie sie mit age öffnen.",
    ),
    (
        "The export is one zip of the files exactly as Coffer stores them, encrypted, and a key file that opens them. It opens with age alone, without Coffer. Choose a passphrase for the key file: you will need it to open the export, and nobody can recover it.",
        "Der Export ist ein Zip der Dateien, verschlüsselt, genau so, wie Coffer sie speichert, und einer Schlüsseldatei, die sie öffnet. Er lässt sich allein mit age öffnen, ohne Coffer. Wählen Sie eine Passphrase für die Schlüsseldatei: Sie brauchen sie zum Öffnen des Exports, und niemand kann sie wiederherstellen.",
    ),
];
