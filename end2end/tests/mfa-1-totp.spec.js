// MFA-1: a member sets up an authenticator app from My account (QR code and
// typed key), signs in with its code, is refused a replayed code, signs in
// with a recovery code, and turns two-step sign-in off. Codes come from
// Debian's oathtool, not from Coffer.
const { execFileSync } = require('node:child_process');
const { test, expect, newPerson, watchForProblems } = require('./fixtures');
const { ADMIN_PW: PW, setUpInstance, createOrganisation, acceptInvitationAndSignIn, signIn } = require('./steps');

const totp = (secret, offset = 0) => execFileSync('oathtool',
  ['--totp', '--base32', '--now', `@${Math.floor(Date.now() / 1000) + offset}`, secret]).toString().trim();

async function signOut(page) {
  await page.getByRole('button', { name: 'Sign out' }).first().click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
}

test('MFA-1: authenticator app, recovery codes, turning it off', async ({ page, coffer, browser }, testInfo) => {
  await setUpInstance(page, coffer);
  const invitation = await createOrganisation(page, 'Acme', 5, 'ann@acme.test');
  const ann = await (await newPerson(browser, testInfo)).newPage();
  const problems = watchForProblems(ann);
  await acceptInvitationAndSignIn(ann, invitation, 'ann@acme.test', PW);

  const card = ann.getByRole('region', { name: 'Two-step sign-in' });
  await expect(card.getByTestId('two-step-status')).toContainText('Off.');
  await card.getByRole('button', { name: 'Set up authenticator app' }).click();
  const qr = card.getByRole('img', { name: 'QR code for your authenticator app' });
  await expect(qr).toBeVisible();
  const box = await qr.locator('svg').boundingBox();
  expect(box.width).toBeGreaterThan(150);
  expect(Math.abs(box.width - box.height)).toBeLessThan(2);
  const secret = (await card.getByTestId('totp-secret').textContent()).replace(/\s/g, '');
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);

  // A wrong code is named and changes nothing.
  const first = totp(secret);
  await card.getByLabel('2. Enter the 6-digit code the app shows').fill(first === '000000' ? '111111' : '000000');
  await card.getByRole('button', { name: 'Turn on' }).click();
  await expect(card.getByRole('alert')).toHaveText(
    'That code is not right. Enter the code your authenticator app shows now, or a recovery code.');
  await card.getByLabel('2. Enter the 6-digit code the app shows').fill(first);
  await card.getByRole('button', { name: 'Turn on' }).click();
  const list = card.getByTestId('recovery-codes').getByRole('listitem');
  await expect(list).toHaveCount(10);
  const recovery = await list.allTextContents();
  for (const c of recovery) expect(c).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
  await card.getByRole('button', { name: 'I have saved them' }).click();
  await expect(card.getByTestId('two-step-status')).toContainText('10 of 10 recovery codes left');

  // Signing in now asks for the code; the one used to confirm is spent.
  await signOut(ann);
  await signIn(ann, 'ann@acme.test', PW);
  await expect(ann.getByRole('heading', { name: 'Two-step sign-in' })).toBeVisible();
  await ann.getByLabel('Authentication code').fill(first);
  await ann.getByRole('button', { name: 'Verify' }).click();
  await expect(ann.getByRole('alert')).toHaveText(
    'That code was already used. Wait for your authenticator app to show the next one.');
  await ann.getByLabel('Authentication code').fill(totp(secret, 30));
  await ann.getByRole('button', { name: 'Verify' }).click();
  await expect(ann.getByRole('heading', { name: 'My account' })).toBeVisible();
  // The keys were unlocked after the second step.
  await expect(ann.getByTestId('fingerprint')).toHaveText(/^[0-9A-F]{4}( [0-9A-F]{4}){9}$/);

  // A recovery code works once.
  await signOut(ann);
  await signIn(ann, 'ann@acme.test', PW);
  await ann.getByRole('button', { name: 'Use a recovery code' }).click();
  await ann.getByLabel('Recovery code').fill(recovery[0].toLowerCase());
  await ann.getByRole('button', { name: 'Verify' }).click();
  await expect(ann.getByRole('heading', { name: 'My account' })).toBeVisible();
  await expect(ann.getByTestId('fingerprint')).toHaveText(/^[0-9A-F]{4}( [0-9A-F]{4}){9}$/);
  await expect(card.getByTestId('two-step-status')).toContainText('9 of 10 recovery codes left');
  await signOut(ann);
  await signIn(ann, 'ann@acme.test', PW);
  await ann.getByRole('button', { name: 'Use a recovery code' }).click();
  await ann.getByLabel('Recovery code').fill(recovery[0]);
  await ann.getByRole('button', { name: 'Verify' }).click();
  await expect(ann.getByRole('alert')).toContainText('That code is not right.');
  await ann.getByLabel('Recovery code').fill(recovery[1]);
  await ann.getByRole('button', { name: 'Verify' }).click();
  await expect(ann.getByRole('heading', { name: 'My account' })).toBeVisible();

  // New recovery codes take a code; the old ones stop working.
  await card.getByRole('button', { name: 'New recovery codes' }).click();
  await card.getByLabel('Code').fill(recovery[2]);
  await card.getByRole('button', { name: 'Make new codes' }).click();
  await expect(card.getByTestId('recovery-codes').getByRole('listitem')).toHaveCount(10);
  await card.getByRole('button', { name: 'I have saved them' }).click();
  await expect(card.getByTestId('two-step-status')).toContainText('10 of 10 recovery codes left');

  // Turning it off takes a code or the password (proved with OPAQUE); then
  // the password alone signs in again.
  await card.getByRole('button', { name: 'Turn off' }).click();
  await card.getByRole('button', { name: 'Use my password instead' }).click();
  await card.getByLabel('Your password').fill('not my password at all');
  await card.getByRole('button', { name: 'Turn off' }).click();
  await expect(card.getByRole('alert')).toHaveText('The current password is incorrect.');
  await card.getByLabel('Your password').fill(PW);
  await card.getByRole('button', { name: 'Turn off' }).click();
  await expect(card.getByTestId('two-step-status')).toContainText('Off.');
  await signOut(ann);
  await signIn(ann, 'ann@acme.test', PW);
  await expect(ann.getByRole('heading', { name: 'My account' })).toBeVisible();
  expect(problems).toEqual([]);
});
