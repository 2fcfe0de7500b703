// CRY-6 ACC-7 organisation key recovery in the browser: Lia (a Liaison)
// turns account recovery on in Configuration; Ann's browser is told at her
// next visit and escrows her keys. Lia resets Ann's password: the reset
// page says Ann keeps her keys, and after she chooses a password she waits
// until Lia's browser restores them (opening Configuration). Ann then signs
// in with the same fingerprint and downloads what was shared with her.
// With recovery off, the next reset lists what will be lost, and it is.
const fs = require('node:fs');
const { test, expect } = require('./fixtures');
const { liaInANewBox, addMemberAndSignIn, signIn, expectNeverStored, fingerprintOf } = require('./steps');

const ANN_PW = 'anns own long passphrase';
const ANN_NEW = 'anns second long passphrase';
const ANN_THIRD = 'anns third long passphrase';
const SECRET = 'Zebra minutes kept across a reset';

async function resetAnn(lia, root) {
  await lia.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await lia.getByRole('button', { name: 'Edit ann@acme.test' }).click();
  const security = lia.getByRole('region', { name: 'Account security of ann@acme.test' });
  await security.getByRole('button', { name: 'Reset password' }).click();
  await security.getByRole('button', { name: 'Send reset link' }).click();
  await expect(security.getByRole('status')).toHaveText('A password reset link was emailed to ann@acme.test.');
  await lia.getByRole('button', { name: 'Close' }).click();
  await root.getByRole('main').getByRole('link', { name: 'Outbox' }).click();
  await root.getByRole('listitem').filter({ hasText: 'To ann@acme.test' })
    .getByRole('link', { name: 'Reset your Coffer password' }).first().click();
  return root.getByRole('link', { name: /\/reset#/ }).getAttribute('href');
}

test('CRY-6 ACC-7: recovery keeps a member\'s keys through a reset; without it the reset says what is lost', async ({ page: root, coffer, browser }, testInfo) => {
  test.setTimeout(240_000);
  const { lia, problems } = await liaInANewBox(root, coffer, browser, testInfo, 'Deals');
  await lia.getByLabel('New folder').fill('Board Zebra');
  await lia.getByRole('button', { name: 'Create folder' }).click();
  await lia.getByRole('link', { name: 'Board Zebra' }).click();
  // The page it came from has an upload field too: wait for this one.
  await expect(lia.getByRole('heading', { name: 'Board Zebra' })).toBeVisible();
  await lia.getByLabel('Upload files').setInputFiles([{ name: 'minutes.txt', mimeType: 'text/plain', buffer: Buffer.from(SECRET) }]);
  await expect(lia.getByRole('region', { name: 'Uploads' }).getByText('Uploaded')).toHaveCount(1, { timeout: 30_000 });
  const boardUrl = lia.url();
  const ann = await addMemberAndSignIn(lia, root, browser, testInfo, 'ann@acme.test', ANN_PW);
  await lia.goto(boardUrl);
  const panel = lia.getByRole('region', { name: 'Share' });
  await panel.getByLabel('Email address').fill('ann@acme.test');
  await panel.getByLabel('Permission').selectOption('Download');
  await panel.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(panel.getByRole('status')).toHaveText('Shared with ann@acme.test.');
  const annPrint = await fingerprintOf(ann);

  // Lia turns recovery on; the page shows the recovery key's fingerprint.
  await lia.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Configuration' }).click();
  await expect(lia.getByText('Account recovery is off.')).toBeVisible();
  await lia.getByRole('button', { name: 'Turn on account recovery' }).click();
  await expect(lia.getByRole('status').filter({ hasText: 'Account recovery is on.' }))
    .toHaveText('Account recovery is on. Each member\'s keys are copied for it the next time they sign in.');
  await expect(lia.getByText(/^Account recovery is on since .*, turned on by lia@acme.test\.$/)).toBeVisible();
  const recoveryPrint = await lia.locator('code.fingerprint').first().textContent();

  // Ann's browser is told and escrows her keys, showing the same print.
  await ann.reload();
  const told = ann.getByRole('status').filter({ hasText: 'has turned on account recovery' });
  await expect(told).toContainText('Acme has turned on account recovery: a copy of your keys is now kept that its Liaisons can open');
  await expect(told.locator('code.fingerprint')).toHaveText(recoveryPrint);
  // Lia is a member too: her own browser escrows her keys on its next load.
  await lia.reload();
  await expect(lia.getByRole('status').filter({ hasText: 'has turned on account recovery' })).toBeVisible();
  await lia.reload();
  await expect(lia.getByText(/^Keys held for 2 of 2 members\.$/)).toBeVisible();

  // Lia resets Ann's password: the page says she keeps her keys.
  const resetLink = await resetAnn(lia, root);
  await ann.getByRole('button', { name: 'Sign out' }).click();
  await expect(ann.getByLabel('Email or user name')).toBeVisible();
  await ann.goto(resetLink);
  await expect(ann.getByText(/keeps a recovery copy of your keys: you keep them/)).toBeVisible();
  await expect(ann.getByText(/will no longer open/)).toHaveCount(0);
  await ann.getByLabel('New password', { exact: true }).fill(ANN_NEW);
  await ann.getByLabel('Confirm new password').fill(ANN_NEW);
  await ann.getByRole('button', { name: 'Set new password' }).click();
  await expect(ann.getByRole('status')).toContainText('Your password is changed. A Liaison of your organisation now restores your keys');
  // Until a Liaison's browser restores them, she cannot sign in.
  await ann.goto(new URL('/sign-in', resetLink).href);
  await signIn(ann, 'ann@acme.test', ANN_NEW);
  await expect(ann.getByRole('alert')).toContainText('Your password was reset and your keys wait for a Liaison');

  // Lia opens Configuration: her browser restores Ann's keys.
  await lia.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Configuration' }).click();
  await expect(lia.getByRole('status').filter({ hasText: 'Restored the keys' }))
    .toHaveText('Restored the keys of ann@acme.test: they can sign in with their new password.');

  // Ann signs in: the same fingerprint, and the shared file opens.
  await signIn(ann, 'ann@acme.test', ANN_NEW);
  await expect(ann.getByRole('link', { name: 'My account' })).toBeVisible();
  expect(await fingerprintOf(ann)).toBe(annPrint);
  await ann.getByRole('link', { name: 'Boxes' }).click();
  await ann.getByRole('region', { name: 'Shared with me' }).getByRole('link', { name: 'Board Zebra' }).click();
  const [download] = await Promise.all([
    ann.waitForEvent('download'),
    ann.getByRole('button', { name: 'Download minutes.txt' }).click(),
  ]);
  expect(fs.readFileSync(await download.path()).toString()).toBe(SECRET);

  // Ann keeps a box of her own too.
  await ann.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Boxes' }).click();
  await ann.getByLabel('New box').fill('Ann Own');
  await ann.getByRole('button', { name: 'Create box' }).click();
  await expect(ann.getByRole('link', { name: 'Ann Own' })).toBeVisible();
  // Uploading makes her signing key, which is wrapped to her member key.
  await ann.getByRole('link', { name: 'Ann Own' }).click();
  await ann.getByLabel('Upload files').setInputFiles([{ name: 'own.txt', mimeType: 'text/plain', buffer: Buffer.from('mine before') }]);
  await expect(ann.getByRole('region', { name: 'Uploads' }).getByText('Uploaded')).toHaveCount(1, { timeout: 30_000 });

  // Recovery off: the next reset lists what Ann loses, and she loses it.
  await lia.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Configuration' }).click();
  await lia.getByRole('button', { name: 'Turn off account recovery' }).click();
  const confirm = lia.getByRole('group', { name: 'Confirm turning off account recovery' });
  await expect(confirm).toContainText('Every recovery copy of members\' keys is deleted.');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(lia.getByText(/^Keys held for \d+ of \d+ members\.$/)).toBeVisible();
  await lia.getByRole('button', { name: 'Turn off account recovery' }).click();
  await lia.getByRole('button', { name: 'Yes, turn it off' }).click();
  await expect(lia.getByRole('status').filter({ hasText: 'Account recovery is off.' }))
    .toHaveText('Account recovery is off. The recovery copies of members\' keys were deleted.');
  const lossyLink = await resetAnn(lia, root);
  await ann.getByRole('link', { name: 'My account' }).click();
  await ann.getByRole('button', { name: 'Sign out' }).click();
  await expect(ann.getByLabel('Email or user name')).toBeVisible();
  await ann.goto(lossyLink);
  await expect(ann.getByText('These items will no longer open:')).toBeVisible();
  await expect(ann.getByRole('listitem').filter({ hasText: 'shared with you by' })).toHaveText('1 items shared with you by lia@acme.test');
  await expect(ann.getByRole('listitem').filter({ hasText: 'boxes you own' })).toHaveText('1 boxes you own');
  await ann.getByLabel('New password', { exact: true }).fill(ANN_THIRD);
  await ann.getByLabel('Confirm new password').fill(ANN_THIRD);
  await ann.getByRole('button', { name: 'Set new password' }).click();
  await expect(ann.getByRole('status')).toHaveText('Your password is set. Sign in to continue.');
  await signIn(ann, 'ann@acme.test', ANN_THIRD);
  await expect(ann.getByRole('link', { name: 'My account' })).toBeVisible();
  expect(await fingerprintOf(ann)).not.toBe(annPrint);
  await ann.getByRole('link', { name: 'Boxes' }).click();
  await expect(ann.getByText('Nothing has been shared with you here yet.')).toBeVisible();
  await expect(ann.getByText('This box does not open with your keys: it was changed outside Coffer, or encrypted to keys you no longer have.')).toBeVisible();
  await expect(ann.getByRole('link', { name: 'Ann Own' })).toHaveCount(0);
  // With new keys she gets a new signing key: a new box takes uploads.
  await ann.getByLabel('New box').fill('Ann Again');
  await ann.getByRole('button', { name: 'Create box' }).click();
  await ann.getByRole('link', { name: 'Ann Again' }).click();
  await ann.getByLabel('Upload files').setInputFiles([{ name: 'again.txt', mimeType: 'text/plain', buffer: Buffer.from('mine after') }]);
  await expect(ann.getByRole('region', { name: 'Uploads' }).getByText('Uploaded')).toHaveCount(1, { timeout: 30_000 });
  const [again] = await Promise.all([
    ann.waitForEvent('download'),
    ann.getByRole('button', { name: 'Download again.txt' }).click(),
  ]);
  expect(fs.readFileSync(await again.path()).toString()).toBe('mine after');

  expectNeverStored(coffer.dataDir, [SECRET, 'Board Zebra', 'minutes.txt', 'mine before', 'mine after', 'again.txt', ANN_PW, ANN_NEW, ANN_THIRD]);
  expect(problems).toEqual([]);
});
