// MFA-2: the organisation requires two-step sign-in; a member is mailed a
// set-up link, can do nothing else after signing in until the app is set
// up, and then signs in with a code. MFA-3: the administrator re-seeds the
// member's app from the Users page, and a new link sets up a new second
// factor, a passkey this time (MFA-4).
// Codes come from Debian's oathtool.
const { execFileSync } = require('node:child_process');
const { test, expect, newPerson, watchForProblems } = require('./fixtures');
const { ADMIN_PW: PW, setUpInstance, createOrganisation, acceptInvitationAndSignIn, signIn } = require('./steps');

const BOB_PW = 'bobs very own passphrase';
const totp = (secret, offset = 0) => execFileSync('oathtool',
  ['--totp', '--base32', '--now', `@${Math.floor(Date.now() / 1000) + offset}`, secret]).toString().trim();

/// The newest mail with this subject to this person, opened in the outbox.
async function mailedLink(root, to, subject, pattern) {
  await root.getByRole('main').getByRole('link', { name: 'Outbox' }).click();
  await root.getByRole('listitem').filter({ hasText: `To ${to}` })
    .getByRole('link', { name: subject }).first().click();
  return root.getByRole('link', { name: pattern }).getAttribute('href');
}

/// Scans (reads the typed key), confirms with a code, keeps the codes.
async function setUpApp(page) {
  const card = page.getByRole('region', { name: 'Two-step sign-in' });
  await card.getByRole('button', { name: 'Set up authenticator app' }).click();
  await expect(card.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  const secret = (await card.getByTestId('totp-secret').textContent()).replace(/\s/g, '');
  await card.getByLabel('2. Enter the 6-digit code the app shows').fill(totp(secret));
  await card.getByRole('button', { name: 'Turn on' }).click();
  await expect(card.getByTestId('recovery-codes').getByRole('listitem')).toHaveCount(10);
  await card.getByRole('button', { name: 'I have saved them' }).click();
  return secret;
}

test('MFA-2 MFA-3: enforcement and re-seed', async ({ page: root, coffer, browser }, testInfo) => {
  await setUpInstance(root, coffer);
  const invitation = await createOrganisation(root, 'Acme', 10, 'lia@acme.test');
  const lia = await (await newPerson(browser, testInfo)).newPage();
  const problems = watchForProblems(lia);
  await acceptInvitationAndSignIn(lia, invitation, 'lia@acme.test', PW);
  await lia.getByRole('link', { name: 'Users' }).click();
  await lia.getByRole('button', { name: 'Add user' }).click();
  const add = lia.getByRole('form', { name: 'Add user' });
  await add.getByLabel('Email').fill('bob@acme.test');
  await add.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(lia.getByRole('status')).toContainText('bob@acme.test was added');
  const bobInvite = await mailedLink(root, 'bob@acme.test', 'You are invited to Acme on Coffer', /\/invite#/);
  const bob = await (await newPerson(browser, testInfo)).newPage();
  const bobProblems = watchForProblems(bob);
  await acceptInvitationAndSignIn(bob, bobInvite, 'bob@acme.test', BOB_PW);
  await expect(bob.getByRole('heading', { name: 'My account' })).toBeVisible();
  await bob.getByRole('button', { name: 'Sign out' }).first().click();

  // MFA-2: Lia requires two-step sign-in.
  await lia.getByRole('link', { name: 'Configuration' }).click();
  const config = lia.getByRole('form', { name: 'Organisation configuration' });
  await config.getByLabel('Require two-step sign-in for every member').check();
  await config.getByRole('button', { name: 'Save configuration' }).click();
  await expect(config.getByRole('status')).toHaveText('Configuration saved.');

  // Bob's password opens the set-up and nothing else.
  await signIn(bob, 'bob@acme.test', BOB_PW);
  await expect(bob.getByRole('heading', { name: 'Set up two-step sign-in' })).toBeVisible();
  await expect(bob.getByText(/Open the link in the email/)).toBeVisible();
  await bob.goto(`${coffer.url}/account`);
  await expect(bob.getByRole('alert').first()).toHaveText(
    'Set up two-step sign-in first: your organisation requires it. Follow the link in the email Coffer sent you.');

  // The mailed link leads through the set-up.
  const setupLink = await mailedLink(root, 'bob@acme.test', 'Set up two-step sign-in for Coffer', /\/two-step-setup#/);
  await bob.goto(setupLink);
  await expect(bob.getByRole('heading', { name: 'Set up two-step sign-in' })).toBeVisible();
  expect(bob.url()).not.toContain('#');
  const secret = await setUpApp(bob);
  await expect(bob.getByRole('heading', { name: 'My account' })).toBeVisible();
  await expect(bob.getByRole('region', { name: 'Two-step sign-in' }).getByTestId('two-step-status'))
    .toContainText('10 of 10 recovery codes left');
  await bob.getByRole('button', { name: 'Sign out' }).first().click();
  await signIn(bob, 'bob@acme.test', BOB_PW);
  await bob.getByLabel('Authentication code').fill(totp(secret, 30));
  await bob.getByRole('button', { name: 'Verify' }).click();
  await expect(bob.getByRole('heading', { name: 'My account' })).toBeVisible();
  await bob.getByRole('button', { name: 'Sign out' }).first().click();

  // MFA-3: Lia re-seeds Bob's app from the Users page.
  await lia.getByRole('link', { name: 'Users' }).click();
  await lia.getByRole('button', { name: 'Edit bob@acme.test' }).click();
  const security = lia.getByRole('region', { name: 'Account security of bob@acme.test' });
  await expect(security.getByText('Two-step sign-in: on')).toBeVisible();
  await security.getByRole('button', { name: 'Re-seed two-step sign-in' }).click();
  await expect(security.getByRole('status')).toHaveText(
    'Two-step sign-in of bob@acme.test was re-seeded; a set-up link was emailed.');
  await expect(security.getByText('Two-step sign-in: off')).toBeVisible();
  await lia.getByText('History', { exact: true }).click();
  await expect(lia.locator('.history-list li').first()).toContainText('mfa.reseeded');

  // The old app no longer counts: Bob is asked to set up a new second
  // factor, and this time chooses a passkey (MFA-4).
  const again = await mailedLink(root, 'bob@acme.test', 'Set up two-step sign-in for Coffer', /\/two-step-setup#/);
  expect(again).not.toEqual(setupLink);
  await bob.goto(again);
  await bob.getByRole('link', { name: 'Sign in' }).last().click();
  await signIn(bob, 'bob@acme.test', BOB_PW);
  await expect(bob.getByRole('heading', { name: 'Set up two-step sign-in' })).toBeVisible();
  const cdp = await bob.context().newCDPSession(bob);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', { options: {
    protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true,
    isUserVerified: true, hasPrf: true, automaticPresenceSimulation: true } });
  const withPasskey = bob.getByRole('region', { name: 'Or use a passkey' });
  await withPasskey.getByLabel('Name for a new passkey').fill('Bob’s laptop');
  await withPasskey.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(bob.getByRole('heading', { name: 'My account' })).toBeVisible();
  await expect(bob.getByRole('region', { name: 'Passkeys' }).getByTestId('passkey')).toContainText('Bob’s laptop');
  // The keys unlocked after the passkey was made: it gains their wrapping
  // in the background, and the list says so once it has.
  await expect(bob.getByRole('region', { name: 'Passkeys' }).getByTestId('passkey')).not.toContainText('your password unlocks your keys');
  await bob.getByRole('button', { name: 'Sign out' }).first().click();
  await bob.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(bob.getByRole('heading', { name: 'My account' })).toBeVisible();
  await expect(bob.getByTestId('fingerprint')).toHaveText(/^[0-9A-F]{4}( [0-9A-F]{4}){9}$/);
  expect(problems).toEqual([]);
  expect(bobProblems).toEqual([]);
});
