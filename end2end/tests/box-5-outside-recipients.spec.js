// BOX-5 outside recipients in the browser: Lia shares a folder (Download)
// with an address that has no account in Acme; the panel offers to invite
// them, and the share waits, visibly, for their keys. Olga follows the
// mailed link and sets a password (her browser makes her key pair); the
// next time Lia opens her boxes, her browser completes the share; Olga
// downloads the file intact. No name or body reaches the server (CRY-1).
const fs = require('node:fs');
const { test, expect, newPerson } = require('./fixtures');
const { liaInANewBox, acceptInvitationAndSignIn, expectNeverStored } = require('./steps');

const SECRET = 'Zebra minutes for the outside auditor';

test('BOX-5: share with an outside address; they set a password and download', async ({ page: root, coffer, browser }, testInfo) => {
  test.setTimeout(180_000);
  const { lia, problems } = await liaInANewBox(root, coffer, browser, testInfo, 'Deals');
  await lia.getByLabel('New folder').fill('Board Zebra');
  await lia.getByRole('button', { name: 'Create folder' }).click();
  await lia.getByRole('link', { name: 'Board Zebra' }).click();
  // The page it came from has an upload field too: wait for this one.
  await expect(lia.getByRole('heading', { name: 'Board Zebra' })).toBeVisible();
  await lia.getByLabel('Upload files').setInputFiles([{ name: 'minutes.txt', mimeType: 'text/plain', buffer: Buffer.from(SECRET) }]);
  await expect(lia.getByRole('region', { name: 'Uploads' }).getByText('Uploaded')).toHaveCount(1, { timeout: 30_000 });

  // An address with nobody behind it: the panel says so and offers to invite.
  const panel = lia.getByRole('region', { name: 'Share' });
  await panel.getByLabel('Email address').fill('olga@outside.test');
  await panel.getByLabel('Permission').selectOption('Download');
  await panel.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(panel.getByRole('alert')).toHaveText('No member of this organisation has that email address.');
  await panel.getByRole('button', { name: 'Invite olga@outside.test and share' }).click();
  await expect(panel.getByRole('status')).toHaveText('olga@outside.test is invited. The share completes once they have set up their keys.');
  const waiting = panel.getByRole('table', { name: 'Who has access' }).getByRole('row').filter({ hasText: 'olga@outside.test' });
  await expect(waiting).toContainText('Waiting for them to set up their keys');
  await expect(waiting).toContainText('Download');
  // Shared with her again before she has keys: refused with the reason.
  await panel.getByLabel('Email address').fill('olga@outside.test');
  await panel.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(panel.getByRole('alert')).toHaveText('That member has not set up their keys yet, so nothing can be shared with them.');

  // Olga follows the mailed link and sets a password.
  await root.getByRole('main').getByRole('link', { name: 'Outbox' }).click();
  await root.getByRole('listitem').filter({ hasText: 'To olga@outside.test' })
    .getByRole('link', { name: 'You are invited to Acme on Coffer' }).first().click();
  const invitation = await root.getByRole('link', { name: /\/invite#/ }).getAttribute('href');
  const olga = await (await newPerson(browser, testInfo)).newPage();
  await acceptInvitationAndSignIn(olga, invitation, 'olga@outside.test', 'olgas own long passphrase');

  // Lia's browser completes the share when she opens her boxes.
  await lia.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Boxes' }).click();
  await expect(lia.getByRole('status').filter({ hasText: 'olga@outside.test' }))
    .toHaveText('olga@outside.test has set up their keys: your share with them is complete.');

  // Olga finds it and downloads it.
  await olga.getByRole('link', { name: 'Boxes' }).click();
  await olga.getByRole('region', { name: 'Shared with me' }).getByRole('link', { name: 'Board Zebra' }).click();
  const [download] = await Promise.all([
    olga.waitForEvent('download'),
    olga.getByRole('button', { name: 'Download minutes.txt' }).click(),
  ]);
  expect(fs.readFileSync(await download.path()).toString()).toBe(SECRET);

  expectNeverStored(coffer.dataDir, [SECRET, 'Board Zebra', 'minutes.txt']);
  expect(problems).toEqual([]);
});
