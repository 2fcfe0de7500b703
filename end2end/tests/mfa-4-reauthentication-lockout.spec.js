// Factor changes need a fresh proof, and a password lockout leaves passkeys
// working (issue: holes found by a security review). The server runs with a
// two-second re-authentication window so a person's pause can be acted out.
const { test, expect, newPerson, watchForProblems } = require('./fixtures');
const { ADMIN_PW: PW, setUpInstance, createOrganisation, acceptInvitationAndSignIn, signIn } = require('./steps');

test.use({ cofferEnv: { COFFER_REAUTHENTICATION_SECONDS: '2', COFFER_LOCKOUT_THRESHOLD: '3' } });

const FINGERPRINT = /^[0-9A-F]{4}( [0-9A-F]{4}){9}$/;

async function virtualAuthenticator(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, hasPrf: true, automaticPresenceSimulation: true,
    },
  });
}

test('MFA-4 ACC-6: the password again before adding or removing a passkey; a locked account signs in with its passkey', async ({ page, coffer, browser }, testInfo) => {
  await setUpInstance(page, coffer);
  const invitation = await createOrganisation(page, 'Acme', 5, 'ann@acme.test');
  const ann = await (await newPerson(browser, testInfo)).newPage();
  const problems = watchForProblems(ann);
  await acceptInvitationAndSignIn(ann, invitation, 'ann@acme.test', PW);
  await ann.getByRole('link', { name: 'My account' }).click();
  await expect(ann.getByTestId('fingerprint')).toHaveText(FINGERPRINT);
  const fingerprint = await ann.getByTestId('fingerprint').textContent();
  await virtualAuthenticator(ann);

  // A while after signing in, adding a passkey asks for the password first.
  await ann.waitForTimeout(2500);
  const card = ann.getByRole('region', { name: 'Passkeys' });
  await card.getByLabel('Name for a new passkey').fill('Ann’s phone');
  await card.getByRole('button', { name: 'Add a passkey' }).click();
  const prompt = ann.getByRole('dialog', { name: 'Confirm it is you' });
  await expect(prompt).toBeVisible();
  await expect(prompt).toContainText('For this change, confirm it is you: enter your password again.');
  await expect(card.getByTestId('passkey')).toHaveCount(0);
  await prompt.getByLabel('Password').fill('not my password');
  await prompt.getByRole('button', { name: 'Confirm' }).click();
  await expect(prompt.getByRole('alert')).toHaveText('The current password is incorrect.');
  await prompt.getByLabel('Password').fill(PW);
  await prompt.getByRole('button', { name: 'Confirm' }).click();
  await expect(prompt).toBeHidden();
  // The change goes through once the password is proved.
  await expect(card.getByRole('status')).toHaveText('Passkey “Ann’s phone” added. It signs you in and unlocks your keys.');
  await expect(card.getByTestId('passkey')).toHaveCount(1);

  // Someone guesses Ann's password until the account locks: the right
  // password is refused like a wrong one, but the passkey still signs in.
  const guesser = await (await newPerson(browser, testInfo)).newPage();
  await guesser.goto(`${coffer.url}/sign-in`);
  for (let i = 0; i < 4; i++) {
    await signIn(guesser, 'ann@acme.test', `guess ${i}`);
    await expect(guesser.getByRole('alert')).toHaveText('The email, user name or password is incorrect.');
  }
  await ann.getByRole('button', { name: 'Sign out' }).first().click();
  await signIn(ann, 'ann@acme.test', PW);
  await expect(ann.getByRole('alert')).toHaveText('The email, user name or password is incorrect.');
  await ann.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(ann.getByRole('heading', { name: 'My account' })).toBeVisible();
  await expect(ann.getByTestId('fingerprint')).toHaveText(fingerprint);

  // Removing it later asks again; Cancel changes nothing.
  await ann.waitForTimeout(2500);
  await card.getByRole('button', { name: 'Remove' }).click();
  await card.getByRole('button', { name: 'Yes, remove it' }).click();
  await expect(prompt).toBeVisible();
  await prompt.getByRole('button', { name: 'Cancel' }).click();
  await expect(prompt).toBeHidden();
  await expect(card.getByTestId('passkey')).toHaveCount(1);
  expect(problems).toEqual([]);
});
