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
    // Chromium drops ":00" seconds from the field's value, and Playwright
    // then calls the value malformed: leave them out when they are zero.
    const seconds = d.getSeconds() ? `:${two(d.getSeconds())}` : '';
    return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}${seconds}`;
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
  await panel.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(panel.getByRole('alert')).toHaveText('That is not an email address.');
  await panel.getByLabel('Email address').fill('nobody@acme.test');
  await panel.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(panel.getByRole('alert')).toHaveText('No member of this organisation has that email address.');
  await panel.getByLabel('Email address').fill('ann@acme.test');
  await panel.getByLabel('Access from (optional)').fill(await localMoment(lia, 3_600_000));
  await panel.getByLabel('Access until (optional)').fill(await localMoment(lia, 60_000));
  await panel.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(panel.getByRole('alert')).toHaveText('The access window ends before it starts.');
  await panel.getByLabel('Access from (optional)').fill('');
  await panel.getByLabel('Access until (optional)').fill('');
  await expect(panel.getByText('No browser can stop a determined reader from saving what they see.')).toBeVisible();
  await panel.getByRole('button', { name: 'Share', exact: true }).click();
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

  // Lia removes Ann's access: the folder is gone for her, and has a new
  // key (CRY-4; cry-4-rotation.spec.js goes further).
  await access.getByRole('button', { name: 'Remove access of ann@acme.test' }).click();
  await expect(lia.getByRole('status').filter({ hasText: 'ann@acme.test no longer has access.' }))
    .toHaveText('ann@acme.test no longer has access. The item has a new key, so nothing added from now on opens with theirs; what they already downloaded stays with them.');
  await expect(access.getByRole('row').filter({ hasText: 'ann@acme.test' })).toHaveCount(0);
  await ann.reload();
  await expect(ann.getByRole('alert')).toHaveText('That box or folder does not exist, or you cannot see it.');
  await expect(ann.getByText(SECRET)).toHaveCount(0);

  // Shared again, with Download, until a moment soon.
  await panel.getByLabel('Email address').fill('ann@acme.test');
  await panel.getByLabel('Permission').selectOption('Download');
  await panel.getByLabel('Access until (optional)').fill(await localMoment(lia, 15_000));
  await panel.getByRole('button', { name: 'Share', exact: true }).click();
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
  await panel.getByRole('button', { name: 'Share', exact: true }).click();
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

test('BOX-2 BOX-9 AUD-3: a file shared on its own, the sharer’s contacts, notices by mail', async ({ page: root, coffer, browser }, testInfo) => {
  test.setTimeout(180_000);
  const { lia, problems } = await liaInANewBox(root, coffer, browser, testInfo, 'Deals');
  await lia.getByLabel('Upload files').setInputFiles([{ name: 'report.txt', mimeType: 'text/plain', buffer: Buffer.from(SECRET) }]);
  await expect(lia.getByRole('region', { name: 'Uploads' }).getByText('Uploaded')).toHaveCount(1, { timeout: 30_000 });
  const boxUrl = lia.url();
  const ann = await addMemberAndSignIn(lia, root, browser, testInfo, 'ann@acme.test', ANN_PW);

  // The file alone is shared from its line, with Download.
  await lia.goto(boxUrl);
  await lia.getByRole('button', { name: 'Share report.txt' }).click();
  const panel = lia.getByRole('region', { name: 'Share “report.txt”' });
  await expect(panel.getByLabel('Permission').locator('option')).toHaveText(['View', 'Download', 'Modify', 'Manage']);
  await panel.getByLabel('Email address').fill('ann@acme.test');
  await panel.getByLabel('Permission').selectOption('Download');
  await panel.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(panel.getByRole('status')).toHaveText('Shared with ann@acme.test.');
  await panel.getByRole('button', { name: 'Close' }).click();
  await expect(panel).toHaveCount(0);
  // Ann is Lia's contact now: the next Share panel suggests her before
  // anything is typed.
  await lia.reload();
  const boxPanel = lia.getByRole('region', { name: 'Share', exact: true });
  await expect(boxPanel.locator('datalist option')).toHaveCount(1);
  await expect(boxPanel.locator('datalist option')).toHaveAttribute('value', 'ann@acme.test');

  // Ann is told by mail, and finds the file under "Shared with me".
  await root.getByRole('main').getByRole('link', { name: 'Outbox' }).click();
  await expect(root.getByRole('listitem').filter({ hasText: 'To ann@acme.test' })
    .getByRole('link', { name: 'lia@acme.test shared an item with you in Acme' })).toBeVisible();
  await ann.getByRole('link', { name: 'Boxes' }).click();
  const line = ann.getByRole('region', { name: 'Shared with me' }).getByRole('row').filter({ hasText: 'report.txt' });
  await expect(line).toContainText('Download');
  await line.getByRole('button', { name: 'Preview report.txt' }).click();
  await expect(ann.getByRole('region', { name: 'Preview of report.txt' })).toContainText(SECRET);
  const [download] = await Promise.all([
    ann.waitForEvent('download'),
    line.getByRole('button', { name: 'Download report.txt' }).click(),
  ]);
  expect(fs.readFileSync(await download.path()).toString()).toBe(SECRET);

  // Ann chooses her notices on My account; the choice holds.
  await ann.getByRole('link', { name: 'My account' }).click();
  const notices = ann.getByRole('region', { name: 'Notices by mail' });
  const shares = notices.getByLabel('something is shared with me');
  await expect(shares).toBeChecked();
  await shares.uncheck();
  await expect(notices.getByRole('status')).toHaveText('Your notice choices are saved.');
  await ann.reload();
  await expect(ann.getByRole('region', { name: 'Notices by mail' }).getByLabel('something is shared with me')).not.toBeChecked();
  await expect(ann.getByRole('region', { name: 'Notices by mail' }).getByLabel('someone uploads into one of my boxes')).toBeChecked();
  expect(problems).toEqual([]);
});
