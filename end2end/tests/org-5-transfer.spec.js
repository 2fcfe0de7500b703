// ORG-5 carried out, with CRY-6: Lia (a Liaison) has account recovery on,
// so Ann's keys are escrowed when she first opens Coffer. Ann keeps a box
// with a file; Lia removes her with a transfer to herself; the panel says
// all Ann's boxes move. Opening Configuration, Lia's browser moves them:
// they land in a box named "ann@acme.test <date>", where the file opens.
// No name or body reaches the server (CRY-1).
const fs = require('node:fs');
const { test, expect } = require('./fixtures');
const { liaInANewBox, addMemberAndSignIn, expectNeverStored } = require('./steps');

const ANN_PW = 'anns own long passphrase';
const SECRET = 'Zebra minutes Ann left behind';

test('ORG-5 CRY-6: transfer after removal lands in <email> <date>', async ({ page: root, coffer, browser }, testInfo) => {
  test.setTimeout(180_000);
  const { lia, problems } = await liaInANewBox(root, coffer, browser, testInfo, 'Lia Box');
  await lia.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Configuration' }).click();
  await lia.getByRole('button', { name: 'Turn on account recovery' }).click();
  await expect(lia.getByRole('status').filter({ hasText: 'Account recovery is on.' })).toBeVisible();

  // Ann joins; her browser escrows her keys at once and says so.
  const ann = await addMemberAndSignIn(lia, root, browser, testInfo, 'ann@acme.test', ANN_PW);
  await expect(ann.getByRole('status').filter({ hasText: 'has turned on account recovery' })).toBeVisible();
  await ann.getByRole('link', { name: 'Boxes' }).click();
  await ann.getByLabel('New box').fill('Ann Deals Zebra');
  await ann.getByRole('button', { name: 'Create box' }).click();
  await ann.getByRole('link', { name: 'Ann Deals Zebra' }).click();
  await ann.getByLabel('Upload files').setInputFiles([{ name: 'minutes.txt', mimeType: 'text/plain', buffer: Buffer.from(SECRET) }]);
  await expect(ann.getByRole('region', { name: 'Uploads' }).getByText('Uploaded')).toHaveCount(1, { timeout: 30_000 });

  // Lia removes Ann, transferring her items to herself.
  await lia.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await lia.getByRole('button', { name: 'Edit ann@acme.test' }).click();
  const removal = lia.getByRole('region', { name: 'Remove ann@acme.test' });
  await removal.getByLabel('Their items').selectOption({ label: 'Transfer to lia@acme.test' });
  await expect(removal.getByText(/Account recovery holds their keys, so all their boxes move/)).toBeVisible();
  await removal.getByRole('button', { name: 'Remove member' }).click();
  await removal.getByRole('button', { name: 'Yes, remove' }).click();
  await expect(lia.getByRole('status').filter({ hasText: 'ann@acme.test was removed.' })).toBeVisible();

  // Lia's browser carries the transfer out on Configuration.
  const date = new Date().toISOString().slice(0, 10);
  const folder = `ann@acme.test ${date}`;
  await lia.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Configuration' }).click();
  await expect(lia.getByRole('status').filter({ hasText: 'Moved' }))
    .toHaveText(`Moved 1 boxes of ann@acme.test into “${folder}” for lia@acme.test.`);

  // It lands in "<email> <date>" among Lia's boxes; the file opens.
  await lia.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Boxes' }).click();
  await lia.getByRole('link', { name: folder }).click();
  await lia.getByRole('link', { name: 'Ann Deals Zebra' }).click();
  const [download] = await Promise.all([
    lia.waitForEvent('download'),
    lia.getByRole('button', { name: 'Download minutes.txt' }).click(),
  ]);
  expect(fs.readFileSync(await download.path()).toString()).toBe(SECRET);

  expectNeverStored(coffer.dataDir, [SECRET, 'Ann Deals Zebra', 'minutes.txt', ANN_PW]);
  expect(problems).toEqual([]);
});
