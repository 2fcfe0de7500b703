//! Deutsch — Organisation key recovery (CRY-6) and resets that keep the keys (ACC-7).

pub const WORDS: &[(&str, &str)] = &[
    ("Account recovery", "Kontowiederherstellung"),
    (
        "With account recovery on, a member whose password an administrator resets keeps their keys and everything shared with them: the Liaisons' browsers hold a recovery key that opens a copy of each member's keys. The server cannot open it. Members are told when it is on.",
        "Mit eingeschalteter Kontowiederherstellung behält ein Mitglied, dessen Passwort ein Administrator zurücksetzt, seine Schlüssel und alles, was mit ihm geteilt wurde: Die Browser der Liaisons halten einen Wiederherstellungsschlüssel, der eine Kopie der Schlüssel jedes Mitglieds öffnet. Der Server kann ihn nicht öffnen. Mitglieder erfahren, wenn sie eingeschaltet ist.",
    ),
    (
        "Account recovery is on. Each member's keys are copied for it the next time they sign in.",
        "Die Kontowiederherstellung ist eingeschaltet. Die Schlüssel jedes Mitglieds werden bei seiner nächsten Anmeldung dafür kopiert.",
    ),
    (
        "Account recovery is off. The recovery copies of members' keys were deleted.",
        "Die Kontowiederherstellung ist ausgeschaltet. Die Wiederherstellungskopien der Schlüssel wurden gelöscht.",
    ),
    (
        "Restored the keys of {0}: they can sign in with their new password.",
        "Die Schlüssel von {0} wurden wiederhergestellt: Die Anmeldung mit dem neuen Passwort ist jetzt möglich.",
    ),
    ("Gave the recovery key to {0}.", "Der Wiederherstellungsschlüssel wurde an {0} gegeben."),
    ("Account recovery is off.", "Die Kontowiederherstellung ist ausgeschaltet."),
    ("Turn on account recovery", "Kontowiederherstellung einschalten"),
    ("Turn off account recovery", "Kontowiederherstellung ausschalten"),
    ("Confirm turning off account recovery", "Ausschalten der Kontowiederherstellung bestätigen"),
    (
        "Every recovery copy of members' keys is deleted. A member whose password is reset after this gets new keys and loses what was shared with them. Turning recovery on again makes a new recovery key.",
        "Alle Wiederherstellungskopien der Schlüssel werden gelöscht. Ein Mitglied, dessen Passwort danach zurückgesetzt wird, erhält neue Schlüssel und verliert, was mit ihm geteilt wurde. Wird die Wiederherstellung wieder eingeschaltet, entsteht ein neuer Wiederherstellungsschlüssel.",
    ),
    ("Yes, turn it off", "Ja, ausschalten"),
    (
        "Account recovery is on since {0}, turned on by {1}.",
        "Die Kontowiederherstellung ist seit {0} eingeschaltet, eingeschaltet von {1}.",
    ),
    ("Recovery key fingerprint:", "Fingerabdruck des Wiederherstellungsschlüssels:"),
    ("Keys held for {0} of {1} members.", "Schlüssel von {0} der {1} Mitglieder sind hinterlegt."),
    (
        "You do not hold the recovery key yet: it is given to you when another Liaison opens this page.",
        "Sie halten den Wiederherstellungsschlüssel noch nicht: Sie erhalten ihn, wenn eine andere Liaison diese Seite öffnet.",
    ),
    (
        "{0} has turned on account recovery: a copy of your keys is now kept that its Liaisons can open, so a password reset by an administrator keeps your files.",
        "{0} hat die Kontowiederherstellung eingeschaltet: Eine Kopie Ihrer Schlüssel wird jetzt aufbewahrt, die die Liaisons öffnen können. So behalten Sie Ihre Dateien, wenn ein Administrator Ihr Passwort zurücksetzt.",
    ),
    (
        "Your password is changed. A Liaison of your organisation now restores your keys from its recovery copy; you get a mail when they have. Then sign in with your new password: everything you could open is still yours.",
        "Ihr Passwort ist geändert. Eine Liaison Ihrer Organisation stellt Ihre Schlüssel jetzt aus der Wiederherstellungskopie wieder her; Sie erhalten dann eine E-Mail. Melden Sie sich danach mit dem neuen Passwort an: Alles, was Sie öffnen konnten, gehört weiter Ihnen.",
    ),
    (
        "Your organisation keeps a recovery copy of your keys: you keep them, with everything shared with you. After you choose a password, a Liaison restores them; until then you cannot sign in.",
        "Ihre Organisation bewahrt eine Wiederherstellungskopie Ihrer Schlüssel auf: Sie behalten sie, mit allem, was mit Ihnen geteilt wurde. Nachdem Sie ein Passwort gewählt haben, stellt eine Liaison sie wieder her; bis dahin können Sie sich nicht anmelden.",
    ),
    (
        "This box does not open with your keys: it was changed outside Coffer, or encrypted to keys you no longer have.",
        "Diese Box lässt sich mit Ihren Schlüsseln nicht öffnen: Sie wurde außerhalb von Coffer verändert oder für Schlüssel verschlüsselt, die Sie nicht mehr haben.",
    ),
    ("These items will no longer open:", "Diese Elemente lassen sich nicht mehr öffnen:"),
    ("{0} boxes you own", "{0} Ihrer eigenen Boxen"),
    ("{0} items shared with you by {1}", "{0} Elemente, die {1} mit Ihnen geteilt hat"),
    (
        "Account recovery is already on for this organisation.",
        "Die Kontowiederherstellung ist für diese Organisation bereits eingeschaltet.",
    ),
    (
        "Account recovery is off for this organisation.",
        "Die Kontowiederherstellung ist für diese Organisation ausgeschaltet.",
    ),
    (
        "The recovery key must be given to every Liaison with keys, and only to them. Reload the page and try again.",
        "Der Wiederherstellungsschlüssel muss jeder Liaison mit Schlüsseln gegeben werden, und nur ihnen. Laden Sie die Seite neu und versuchen Sie es noch einmal.",
    ),
    (
        "The recovery key changed meanwhile. Reload the page and try again.",
        "Der Wiederherstellungsschlüssel hat sich inzwischen geändert. Laden Sie die Seite neu und versuchen Sie es noch einmal.",
    ),
    ("Your keys changed meanwhile. Sign in again.", "Ihre Schlüssel haben sich inzwischen geändert. Melden Sie sich erneut an."),
    (
        "This organisation holds no recovery copy of these keys.",
        "Diese Organisation hat keine Wiederherstellungskopie dieser Schlüssel.",
    ),
    ("No reset is waiting for that member.", "Für dieses Mitglied wartet keine Zurücksetzung."),
    (
        "Members are waiting for their keys after a reset. Restore their keys before turning recovery off.",
        "Mitglieder warten nach einer Zurücksetzung auf ihre Schlüssel. Stellen Sie ihre Schlüssel wieder her, bevor Sie die Wiederherstellung ausschalten.",
    ),
    (
        "Your password was reset and your keys wait for a Liaison of your organisation to restore them. Try again once they have; they were told by mail.",
        "Ihr Passwort wurde zurückgesetzt und Ihre Schlüssel warten darauf, dass eine Liaison Ihrer Organisation sie wiederherstellt. Versuchen Sie es erneut, sobald das geschehen ist; die Liaisons wurden per E-Mail informiert.",
    ),
];
