// CRY-4 key rotation after access ends, in the browser: Lia shares a
// folder with Ann (Download) and Bob (View); Ann downloads a file; Lia
// removes Ann's access and the page says the folder has a new key and that
// what Ann downloaded stays with her; a file added afterwards is read by
// Bob with the old one, and Ann's session gets neither. Then Lia removes
// Bob from the organisation: the folder is due a new key again, which
// Lia's browser gives it when she opens her boxes, and it says so. No name
// or body reaches the server (CRY-1).
const fs = require('node:fs');
const { test, expect } = require('./fixtures');
const { liaInANewBox, addMemberAndSignIn, expectNeverStored } = require('./steps');

const PW = 'a members own long passphrase';
const OLD = 'Zebra minutes from before the removal';
const NEW = 'Zebra minutes from after the removal';

async function share(panel, email, permission) {
  await panel.getByLabel('Email address').fill(email);
  await panel.getByLabel('Permission').selectOption(permission);
  await panel.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(panel.getByRole('status')).toHaveText(`Shared with ${email}.`);
}

test('CRY-4: removing access renews the key; those who keep access read old and new', async ({ page: root, coffer, browser }, testInfo) => {
  test.setTimeout(240_000);
  const { lia, problems } = await liaInANewBox(root, coffer, browser, testInfo, 'Deals');
  await lia.getByLabel('New folder').fill('Board Zebra');
  await lia.getByRole('button', { name: 'Create folder' }).click();
  await lia.getByRole('link', { name: 'Board Zebra' }).click();
  // The page it came from has an upload field too: wait for this one.
  await expect(lia.getByRole('heading', { name: 'Board Zebra' })).toBeVisible();
  await lia.getByLabel('Upload files').setInputFiles([{ name: 'old.txt', mimeType: 'text/plain', buffer: Buffer.from(OLD) }]);
  await expect(lia.getByRole('region', { name: 'Uploads' }).getByText('Uploaded')).toHaveCount(1, { timeout: 30_000 });
  const boardUrl = lia.url();
  const ann = await addMemberAndSignIn(lia, root, browser, testInfo, 'ann@acme.test', PW);
  const bob = await addMemberAndSignIn(lia, root, browser, testInfo, 'bob@acme.test', PW);

  await lia.goto(boardUrl);
  const panel = lia.getByRole('region', { name: 'Share' });
  await share(panel, 'ann@acme.test', 'Download');
  await share(panel, 'bob@acme.test', 'View');

  // Ann downloads the old file: that copy is hers.
  await ann.getByRole('link', { name: 'Boxes' }).click();
  await ann.getByRole('region', { name: 'Shared with me' }).getByRole('link', { name: 'Board Zebra' }).click();
  const [saved] = await Promise.all([
    ann.waitForEvent('download'),
    ann.getByRole('button', { name: 'Download old.txt' }).click(),
  ]);
  expect(fs.readFileSync(await saved.path()).toString()).toBe(OLD);

  // Removed: the page says what changed and what she keeps.
  const access = panel.getByRole('table', { name: 'Who has access' });
  await access.getByRole('button', { name: 'Remove access of ann@acme.test' }).click();
  await expect(lia.getByRole('status').filter({ hasText: 'ann@acme.test no longer has access.' }))
    .toHaveText('ann@acme.test no longer has access. The item has a new key, so nothing added from now on opens with theirs; what they already downloaded stays with them.');
  await expect(access.getByRole('row').filter({ hasText: 'ann@acme.test' })).toHaveCount(0);
  await expect(access.getByRole('row').filter({ hasText: 'bob@acme.test' })).toContainText('View');

  // A file added now goes under the new key (the page reloaded it).
  await lia.getByLabel('Upload files').setInputFiles([{ name: 'new.txt', mimeType: 'text/plain', buffer: Buffer.from(NEW) }]);
  await expect(lia.getByRole('region', { name: 'Uploads' }).getByText('Uploaded')).toHaveCount(1, { timeout: 30_000 });

  // Ann's session: neither the folder nor anything in it.
  await ann.reload();
  await expect(ann.getByRole('alert')).toHaveText('That box or folder does not exist, or you cannot see it.');
  await expect(ann.getByText('new.txt')).toHaveCount(0);
  await ann.getByRole('link', { name: 'Boxes', exact: true }).first().click();
  await expect(ann.getByText('Nothing has been shared with you here yet.')).toBeVisible();

  // Bob keeps access: he previews the old file and the new one.
  await bob.getByRole('link', { name: 'Boxes' }).click();
  await bob.getByRole('region', { name: 'Shared with me' }).getByRole('link', { name: 'Board Zebra' }).click();
  for (const [name, body] of [['old.txt', OLD], ['new.txt', NEW]]) {
    await bob.getByRole('button', { name: `Preview ${name}` }).click();
    await expect(bob.getByRole('region', { name: `Preview of ${name}` })).toContainText(body);
  }

  // Bob leaves Acme: the folder is due a new key again; Lia's browser
  // gives it one when she opens her boxes.
  await lia.getByRole('link', { name: 'Users' }).click();
  await lia.getByRole('button', { name: 'Edit bob@acme.test' }).click();
  const removal = lia.getByRole('region', { name: 'Remove bob@acme.test' });
  await removal.getByLabel('Their items').selectOption({ label: 'Delete permanently' });
  await removal.getByRole('button', { name: 'Remove member' }).click();
  await removal.getByRole('button', { name: 'Yes, remove' }).click();
  await expect(lia.getByRole('status')).toHaveText('bob@acme.test was removed.');
  await lia.getByRole('link', { name: 'Boxes', exact: true }).first().click();
  await expect(lia.getByRole('status').filter({ hasText: 'Renewed the keys' }))
    .toHaveText("Renewed the keys of 1 shared items after someone's access ended.");
  await lia.goto(boardUrl);
  for (const [name, body] of [['old.txt', OLD], ['new.txt', NEW]]) {
    await lia.getByRole('button', { name: `Preview ${name}` }).click();
    await expect(lia.getByRole('region', { name: `Preview of ${name}` })).toContainText(body);
  }
  // Nothing is due any more: the next visit says nothing.
  await lia.getByRole('link', { name: 'Boxes', exact: true }).first().click();
  await expect(lia.getByRole('link', { name: 'Deals' })).toBeVisible();
  await expect(lia.getByText('Renewed the keys')).toHaveCount(0);

  expectNeverStored(coffer.dataDir, [OLD, NEW, 'Board Zebra', 'old.txt', 'new.txt']);
  expect(problems).toEqual([]);
});
