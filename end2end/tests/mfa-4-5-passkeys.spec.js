// MFA-4 and MFA-5 with Chromium's WebAuthn virtual authenticator (CDP):
// a member adds a passkey on My account, signs out, and signs in with the
// passkey alone. With PRF the keys unlock at once (same fingerprint); without
// PRF the page explains why and asks for the password once. A passkey is
// also the second step after the password; a removed passkey no longer
// signs in.
const { test, expect, newPerson, watchForProblems } = require('./fixtures');
const { ADMIN_PW: PW, setUpInstance, createOrganisation, acceptInvitationAndSignIn, signIn } = require('./steps');

const FINGERPRINT = /^[0-9A-F]{4}( [0-9A-F]{4}){9}$/;

async function virtualAuthenticator(page, hasPrf) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      hasPrf,
      automaticPresenceSimulation: true,
    },
  });
}

async function signOut(page) {
  await page.getByRole('button', { name: 'Sign out' }).first().click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
}

/// Ann, the first administrator of Acme, signed in on her own device, with
/// her key fingerprint as My account shows it.
async function ann(page, coffer, browser, testInfo) {
  await setUpInstance(page, coffer);
  const invitation = await createOrganisation(page, 'Acme', 5, 'ann@acme.test');
  const ann = await (await newPerson(browser, testInfo)).newPage();
  const problems = watchForProblems(ann);
  await acceptInvitationAndSignIn(ann, invitation, 'ann@acme.test', PW);
  await ann.getByRole('link', { name: 'My account' }).click();
  await expect(ann.getByTestId('fingerprint')).toHaveText(FINGERPRINT);
  const fingerprint = await ann.getByTestId('fingerprint').textContent();
  return { ann, problems, fingerprint };
}

async function addPasskey(page, name) {
  const card = page.getByRole('region', { name: 'Passkeys' });
  await expect(card).toContainText('You have no passkeys.');
  // A name is asked for first.
  await card.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(card.getByRole('alert')).toHaveText('Give the passkey a name, such as the device it lives on.');
  await card.getByLabel('Name for a new passkey').fill(name);
  await card.getByRole('button', { name: 'Add a passkey' }).click();
  return card;
}

test('MFA-4/MFA-5: a PRF passkey signs in alone and unlocks the keys; removed, it signs in no more', async ({ page, coffer, browser }, testInfo) => {
  const { ann: p, problems, fingerprint } = await ann(page, coffer, browser, testInfo);
  await virtualAuthenticator(p, true);

  const card = await addPasskey(p, 'This phone');
  await expect(card.getByRole('status')).toHaveText('Passkey “This phone” added. It signs you in and unlocks your keys.');
  const item = card.getByTestId('passkey');
  await expect(item).toHaveCount(1);
  await expect(item).toContainText('This phone');
  await expect(item).toContainText('not used yet · unlocks your keys');

  // Nothing typed: the passkey signs in and the keys are the same keys.
  await signOut(p);
  await p.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(p.getByRole('heading', { name: 'My account' })).toBeVisible();
  await expect(p.getByTestId('fingerprint')).toHaveText(fingerprint);
  await expect(card.getByTestId('passkey')).toContainText('last used');

  // Renamed.
  await card.getByRole('button', { name: 'Rename' }).click();
  await card.getByLabel('New name').fill('Ann’s phone');
  await card.getByRole('button', { name: 'Save name' }).click();
  await expect(card.getByTestId('passkey')).toContainText('Ann’s phone');

  // Removed: the authenticator still offers it, Coffer no longer accepts it.
  await card.getByRole('button', { name: 'Remove' }).click();
  await card.getByRole('button', { name: 'Yes, remove it' }).click();
  await expect(card.getByRole('status')).toHaveText('Passkey “Ann’s phone” removed. It no longer signs you in.');
  await expect(card).toContainText('You have no passkeys.');
  await signOut(p);
  await p.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(p.getByRole('alert')).toHaveText(
    'This passkey is not registered with Coffer: it may have been removed. Sign in with your password.');
  await expect(p.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  expect(problems).toEqual([]);
});

test('MFA-4/MFA-5: without PRF the password unlocks the keys once; a passkey is the second step', async ({ page, coffer, browser }, testInfo) => {
  const { ann: p, problems, fingerprint } = await ann(page, coffer, browser, testInfo);
  await virtualAuthenticator(p, false);

  const card = await addPasskey(p, 'Old key');
  await expect(card.getByRole('status')).toContainText('Passkey “Old key” added. It signs you in; your password is still needed');
  await expect(card.getByTestId('passkey')).toContainText('your password unlocks your keys');

  await signOut(p);
  await p.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(p.getByRole('heading', { name: 'Unlock your keys' })).toBeVisible();
  await expect(p.getByText('its authenticator does not support the PRF extension')).toBeVisible();
  await p.getByRole('button', { name: 'Unlock' }).click();
  await expect(p.getByRole('alert')).toHaveText('Enter your password.');
  await p.getByLabel('Password').fill('not my password');
  await p.getByRole('button', { name: 'Unlock' }).click();
  await expect(p.getByRole('alert')).toHaveText('The current password is incorrect.');
  await p.getByLabel('Password').fill(PW);
  await p.getByRole('button', { name: 'Unlock' }).click();
  await expect(p.getByRole('heading', { name: 'My account' })).toBeVisible();
  await expect(p.getByTestId('fingerprint')).toHaveText(fingerprint);
  // Asking this passkey to unlock the keys is answered plainly.
  await p.getByRole('button', { name: 'Let it unlock my keys' }).click();
  await expect(p.getByRole('region', { name: 'Passkeys' }).getByRole('alert')).toHaveText(
    'This passkey cannot unlock your keys: its authenticator does not support the PRF extension. It still signs you in; your password unlocks the keys.');

  // With a passkey registered, the password is one step of two.
  await signOut(p);
  await signIn(p, 'ann@acme.test', PW);
  await expect(p.getByRole('heading', { name: 'Two-step sign-in' })).toBeVisible();
  await expect(p.getByText('Confirm with one of your passkeys.')).toBeVisible();
  await expect(p.getByLabel('Authentication code')).toHaveCount(0);
  await p.getByRole('button', { name: 'Use a passkey' }).click();
  await expect(p.getByRole('heading', { name: 'My account' })).toBeVisible();
  await expect(p.getByTestId('fingerprint')).toHaveText(fingerprint);
  expect(problems).toEqual([]);
});

test('MFA-5: a passkey added while the keys are locked in the tab can be made to unlock them later', async ({ page, coffer, browser }, testInfo) => {
  const { ann: p, problems, fingerprint } = await ann(page, coffer, browser, testInfo);
  // A second tab shares the session but not the unlocked keys.
  const tab = await p.context().newPage();
  const tabProblems = watchForProblems(tab);
  await tab.goto(`${coffer.url}/account`);
  await expect(tab.getByTestId('fingerprint')).toHaveText('Locked in this tab');
  await virtualAuthenticator(tab, true);
  const card = await addPasskey(tab, 'Tablet');
  await expect(card.getByRole('status')).toHaveText(
    'Passkey “Tablet” added. It signs you in; to let it unlock your keys too, unlock them with your password and choose “Let it unlock my keys”.');
  await expect(card.getByTestId('passkey')).toContainText('your password unlocks your keys');
  // Unlocking in this tab right away would give the passkey its wrapping by
  // itself (MFA-2/3's test shows that); after a reload the tab has forgotten
  // the passkey's PRF output, so the member does it by hand.
  await tab.reload();
  await expect(tab.getByTestId('fingerprint')).toHaveText('Locked in this tab');
  await tab.getByLabel('Password').fill(PW);
  await tab.getByRole('button', { name: 'Unlock' }).click();
  await expect(tab.getByTestId('fingerprint')).toHaveText(fingerprint);
  await card.getByRole('button', { name: 'Let it unlock my keys' }).click();
  await expect(card.getByRole('status')).toHaveText('Passkey “Tablet” now unlocks your keys too.');
  await expect(card.getByTestId('passkey')).toContainText('· unlocks your keys');

  await tab.getByRole('button', { name: 'Sign out' }).first().click();
  await tab.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(tab.getByRole('heading', { name: 'My account' })).toBeVisible();
  await expect(tab.getByTestId('fingerprint')).toHaveText(fingerprint);
  expect(problems).toEqual([]);
  expect(tabProblems).toEqual([]);
});
