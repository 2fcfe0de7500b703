// BOX-2, BOX-3 sharing with a member: the owner shares a folder with View;
// the member finds it under "Shared with me", previews a file but gets no
// Download button, Upload or New folder; the owner removes the access and
// the folder is gone for the member; shared again with Download until a
// moment soon, the member downloads it intact, and when the window ends
// the item disappears. A permit the server changed is refused by the
// member's browser. No name or body reaches the server (CRY-1).
const fs = require('node:fs');
const { test, expect } = require('./fixtures');
const { liaInANewBox, addMemberAndSignIn, expectNeverStored, sqlite } = require('./steps');

const ANN_PW = 'anns own long passphrase';
const SECRET = 'Minutes of the Zebra board meeting';

/// A local `datetime-local` value `ms` from now, in the page's time zone.
function localMoment(page, ms) {
  return page.evaluate((later) => {
    const d = new Date(Date.now() + later);
    const two = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  }, ms);
}

test('BOX-2 BOX-3: share a folder with a member, preview only, remove, share until a moment', async ({ page: root, coffer, browser }, testInfo) => {
  test.setTimeout(180_000);
  const { lia, problems } = await liaInANewBox(root, coffer, browser, testInfo, 'Deals');
  await lia.getByLabel('New folder').fill('Board Zebra');
  await lia.getByRole('button', { name: 'Create folder' }).click();
  await lia.getByRole('link', { name: 'Board Zebra' }).click();
  await expect(lia.getByRole('heading', { name: 'Board Zebra' })).toBeVisible();
  await lia.getByLabel('Upload files').setInputFiles([{ name: 'minutes.txt', mimeType: 'text/plain', buffer: Buffer.from(SECRET) }]);
  await expect(lia.getByRole('region', { name: 'Uploads' }).getByText('Uploaded')).toHaveCount(1, { timeout: 30_000 });
  const boardUrl = lia.url();

  // Ann joins Acme.
  const ann = await addMemberAndSignIn(lia, root, browser, testInfo, 'ann@acme.test', ANN_PW);
  await ann.getByRole('link', { name: 'Boxes' }).click();
  await expect(ann.getByText('Nothing has been shared with you here yet.')).toBeVisible();

  // Lia shares the folder with View; bad input first.
  await lia.goto(boardUrl);
  const panel = lia.getByRole('region', { name: 'Share' });
  await panel.getByLabel('Email address').fill('ann@acme');
  await panel.getByRole('button', { name: 'Share' }).click();
  await expect(panel.getByRole('alert')).toHaveText('That is not an email address.');
  await panel.getByLabel('Email address').fill('nobody@acme.test');
  await panel.getByRole('button', { name: 'Share' }).click();
  await expect(panel.getByRole('alert')).toHaveText('No member of this organisation has that email address.');
  await panel.getByLabel('Email address').fill('ann@acme.test');
  await panel.getByLabel('Access from (optional)').fill(await localMoment(lia, 3_600_000));
  await panel.getByLabel('Access until (optional)').fill(await localMoment(lia, 60_000));
  await panel.getByRole('button', { name: 'Share' }).click();
  await expect(panel.getByRole('alert')).toHaveText('The access window ends before it starts.');
  await panel.getByLabel('Access from (optional)').fill('');
  await panel.getByLabel('Access until (optional)').fill('');
  await expect(panel.getByText('No browser can stop a determined reader from saving what they see.')).toBeVisible();
  await panel.getByRole('button', { name: 'Share' }).click();
  await expect(panel.getByRole('status')).toHaveText('Shared with ann@acme.test.');
  const access = panel.getByRole('table', { name: 'Who has access' });
  await expect(access.getByRole('row').filter({ hasText: 'lia@acme.test' })).toContainText('Owner');
  await expect(access.getByRole('row').filter({ hasText: 'ann@acme.test' })).toContainText('View');

  // Ann sees it under "Shared with me", opens it, previews, cannot download.
  await ann.reload();
  const shared = ann.getByRole('region', { name: 'Shared with me' });
  await expect(shared.getByRole('row').filter({ hasText: 'Board Zebra' })).toContainText('lia@acme.test');
  await expect(shared.getByRole('row').filter({ hasText: 'Board Zebra' })).toContainText('View');
  await shared.getByRole('link', { name: 'Board Zebra' }).click();
  await expect(ann.getByRole('heading', { name: 'Board Zebra' })).toBeVisible();
  await expect(ann.getByText('preview only. No browser can stop a determined reader')).toBeVisible();
  await ann.getByRole('button', { name: 'Preview minutes.txt' }).click();
  await expect(ann.getByRole('region', { name: 'Preview of minutes.txt' })).toContainText(SECRET);
  await expect(ann.getByRole('button', { name: 'Download minutes.txt' })).toHaveCount(0);
  await expect(ann.getByRole('button', { name: 'Rename minutes.txt' })).toHaveCount(0);
  await expect(ann.getByLabel('New folder')).toHaveCount(0);
  await expect(ann.getByText('Upload files')).toBeHidden();
  await expect(ann.getByRole('region', { name: 'Share' })).toHaveCount(0);

  // Lia removes Ann's access: the folder is gone for her.
  await access.getByRole('button', { name: 'Remove access of ann@acme.test' }).click();
  await expect(panel.getByRole('status')).toHaveText('ann@acme.test no longer has access.');
  await expect(access.getByRole('row').filter({ hasText: 'ann@acme.test' })).toHaveCount(0);
  await ann.reload();
  await expect(ann.getByRole('alert')).toHaveText('That box or folder does not exist, or you cannot see it.');
  await expect(ann.getByText(SECRET)).toHaveCount(0);

  // Shared again, with Download, until a moment soon.
  await panel.getByLabel('Email address').fill('ann@acme.test');
  await panel.getByLabel('Permission').selectOption('Download');
  await panel.getByLabel('Access until (optional)').fill(await localMoment(lia, 15_000));
  await panel.getByRole('button', { name: 'Share' }).click();
  await expect(panel.getByRole('status')).toHaveText('Shared with ann@acme.test.');
  await expect(access.getByRole('row').filter({ hasText: 'ann@acme.test' })).toContainText(/Download.*Until/);
  await ann.getByRole('link', { name: 'Boxes' }).click();
  await ann.getByRole('region', { name: 'Shared with me' }).getByRole('link', { name: 'Board Zebra' }).click();
  const [download] = await Promise.all([
    ann.waitForEvent('download'),
    ann.getByRole('button', { name: 'Download minutes.txt' }).click(),
  ]);
  expect(fs.readFileSync(await download.path()).toString()).toBe(SECRET);
  // When the window ends the item disappears, and the server refuses it.
  await ann.getByRole('navigation', { name: 'Where you are' }).getByRole('link', { name: 'Boxes' }).click();
  await expect(ann.getByRole('region', { name: 'Shared with me' }).getByRole('link', { name: 'Board Zebra' })).toBeVisible();
  await expect(async () => {
    await ann.reload();
    await expect(ann.getByText('Nothing has been shared with you here yet.')).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 40_000 });
  await ann.goto(boardUrl);
  await expect(ann.getByRole('alert')).toHaveText('That box or folder does not exist, or you cannot see it.');

  // A permit the server changed (here: its signature) is refused by Ann's
  // browser, in the list and when she opens the folder.
  await panel.getByLabel('Email address').fill('ann@acme.test');
  await panel.getByLabel('Permission').selectOption('View');
  await panel.getByLabel('Access until (optional)').fill('');
  await panel.getByRole('button', { name: 'Share' }).click();
  await expect(panel.getByRole('status')).toHaveText('Shared with ann@acme.test.');
  sqlite(coffer.dataDir, "UPDATE permits SET signature = zeroblob(64) WHERE owner = 0");
  await ann.getByRole('link', { name: 'Boxes', exact: true }).first().click();
  const refused = ann.getByRole('region', { name: 'Shared with me' }).getByRole('row').filter({ hasText: 'Board Zebra' });
  await expect(refused).toContainText('This share is not signed by the person who shared it, so this browser refused it.');
  await expect(refused.getByRole('link')).toHaveCount(0);
  await ann.goto(boardUrl);
  await expect(ann.getByRole('alert')).toHaveText('This share is not signed by the person who shared it, so this browser refused it.');
  await expect(ann.getByText('minutes.txt')).toHaveCount(0);

  expectNeverStored(coffer.dataDir, [SECRET, 'Board Zebra', 'minutes.txt']);
  expect(problems).toEqual([]);
});
