// ACC-9 / PLT-5: a member's default language applies at once, survives a
// reload and follows them to their next sign-in; before sign-in the
// browser's language is used.
const { test, expect, newPerson, watchForProblems } = require('./fixtures');
const { ADMIN_PW: PW, setUpInstance, createOrganisation, acceptInvitationAndSignIn, signIn } = require('./steps');

test('ACC-9: default language', async ({ page, coffer, browser }, testInfo) => {
  await setUpInstance(page, coffer);
  const invitation = await createOrganisation(page, 'Acme', 5, 'ann@acme.test');
  const ann = await (await newPerson(browser, testInfo)).newPage();
  const problems = watchForProblems(ann);
  await acceptInvitationAndSignIn(ann, invitation, 'ann@acme.test', PW);
  await expect(ann.getByRole('heading', { name: 'My account' })).toBeVisible();
  const fingerprint = await ann.getByTestId('fingerprint').textContent();

  await ann.getByLabel('Language').selectOption('de');
  await ann.getByRole('button', { name: 'Save profile' }).click();
  await expect(ann.getByRole('heading', { name: 'Mein Konto' })).toBeVisible();
  await expect(ann.getByRole('navigation', { name: 'Hauptmenü' }).getByRole('link', { name: 'Mein Konto' })).toBeVisible();
  await expect(ann.getByRole('heading', { name: 'Profil' })).toBeVisible();
  await expect(ann.getByLabel('Sprache')).toHaveValue('de');
  await expect(ann.locator('html')).toHaveAttribute('lang', 'de');
  // The keys stay unlocked through the switch.
  await expect(ann.getByTestId('fingerprint')).toHaveText(fingerprint);

  await ann.reload();
  await expect(ann.getByRole('heading', { name: 'Mein Konto' })).toBeVisible();

  // Refusals are worded in her language by what they are, with their
  // values kept: the browser's own rule, then the server's answer.
  await ann.getByRole('button', { name: 'Passwort ändern' }).click();
  await ann.getByLabel('Aktuelles Passwort').fill('not her password');
  await ann.getByLabel('Neues Passwort', { exact: true }).fill('short');
  await ann.getByLabel('Neues Passwort bestätigen').fill('short');
  await ann.getByRole('button', { name: 'Neues Passwort speichern' }).click();
  await expect(ann.getByRole('alert')).toHaveText(/^Das Passwort muss mindestens \d+ Zeichen lang sein\.$/);
  await ann.getByLabel('Neues Passwort', { exact: true }).fill('a long enough new password');
  await ann.getByLabel('Neues Passwort bestätigen').fill('a long enough new password');
  await ann.getByRole('button', { name: 'Neues Passwort speichern' }).click();
  await expect(ann.getByRole('alert')).toHaveText('Das aktuelle Passwort ist falsch.');

  // Signed out, the browser's language (English here); signed in, hers.
  await ann.getByRole('button', { name: 'Abmelden' }).first().click();
  await expect(ann.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await signIn(ann, 'ann@acme.test', PW);
  await expect(ann.getByRole('heading', { name: 'Mein Konto' })).toBeVisible();

  await ann.getByLabel('Sprache').selectOption('en');
  await ann.getByRole('button', { name: 'Profil speichern' }).click();
  await expect(ann.getByRole('heading', { name: 'My account' })).toBeVisible();
  expect(problems).toEqual([]);
});
