// BOX-9 pinned keys: the first share with a member pins their key in the
// sharer's browser. When the server later gives another key for them (here
// the test swaps it in the database, as a server could), the next share
// stops before anything is wrapped to it, shows both fingerprints (the
// pinned one is the member's own, as their My account page shows it), and
// goes ahead only when the sharer says they match; a pin the server drops
// is still held by the sharer's browser. A key renewal (CRY-4)
// stops the same way when someone keeping access has a key other than
// the one pinned. No name reaches the server (CRY-1).
const { test, expect } = require('./fixtures');
const { liaInANewBox, addMemberAndSignIn, expectNeverStored, fingerprintOf, sqlite } = require('./steps');

const ANN_PW = 'anns own long passphrase';
const BOB_PW = 'bobs own long passphrase';

test('BOX-9: a key other than the one pinned stops the share until the fingerprints are compared', async ({ page: root, coffer, browser }, testInfo) => {
  test.setTimeout(180_000);
  const { lia, problems } = await liaInANewBox(root, coffer, browser, testInfo, 'Deals');
  const boxUrl = lia.url();
  for (const name of ['Plans Zebra', 'Budget Zebra']) {
    await lia.getByLabel('New folder').fill(name);
    await lia.getByRole('button', { name: 'Create folder' }).click();
    await expect(lia.getByRole('link', { name })).toBeVisible();
  }
  const ann = await addMemberAndSignIn(lia, root, browser, testInfo, 'ann@acme.test', ANN_PW);
  const annPrint = await fingerprintOf(ann);
  const liaPrint = await fingerprintOf(lia);

  const shareFolder = async (name, permission, email = 'ann@acme.test') => {
    await lia.goto(boxUrl);
    await lia.getByRole('link', { name }).click();
    await expect(lia.getByRole('heading', { name })).toBeVisible();
    const panel = lia.getByRole('region', { name: 'Share' });
    await panel.getByLabel('Email address').fill(email);
    await panel.getByLabel('Permission').selectOption({ label: permission });
    await panel.getByRole('button', { name: 'Share', exact: true }).click();
    return panel;
  };

  // The first share pins Ann's key.
  let panel = await shareFolder('Plans Zebra', 'View');
  await expect(panel.getByRole('status')).toHaveText('Shared with ann@acme.test.');

  // The server gives Lia's own key as Ann's, and drops Lia's pin: her
  // browser's own copy of it still stops the share.
  const swap = (to) => sqlite(coffer.dataDir, `UPDATE accounts SET public_key = ${to} WHERE email = 'ann@acme.test'`);
  sqlite(coffer.dataDir, "CREATE TABLE kept_key AS SELECT public_key FROM accounts WHERE email = 'ann@acme.test'");
  swap("(SELECT public_key FROM accounts WHERE email = 'lia@acme.test')");
  sqlite(coffer.dataDir, 'DELETE FROM key_pins');
  panel = await shareFolder('Budget Zebra', 'Download');
  await expect(panel.getByRole('alert')).toHaveText('The key of ann@acme.test is not the one you last shared with. Nothing was shared.');
  const compare = panel.getByRole('group', { name: 'Compare the key of ann@acme.test' });
  await expect(compare).toContainText(`Key fingerprint you last shared with: ${annPrint}`);
  await expect(compare).toContainText(`Key fingerprint the server gives now: ${liaPrint}`);
  await expect(compare).toContainText('Ask ann@acme.test for the key fingerprint on their My account page');
  const access = panel.getByRole('table', { name: 'Who has access' });
  await expect(access.getByRole('row').filter({ hasText: 'ann@acme.test' })).toHaveCount(0);
  await compare.getByRole('button', { name: 'Cancel' }).click();
  await expect(compare).toHaveCount(0);
  await expect(panel.getByRole('alert')).toHaveCount(0);
  await expect(access.getByRole('row').filter({ hasText: 'ann@acme.test' })).toHaveCount(0);

  // Ann's own key again: the pin still names it, and sharing just works.
  swap('(SELECT public_key FROM kept_key)');
  await panel.getByLabel('Email address').fill('ann@acme.test');
  await panel.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(panel.getByRole('status')).toHaveText('Shared with ann@acme.test.');
  await expect(access.getByRole('row').filter({ hasText: 'ann@acme.test' })).toContainText('Download');

  // A key that changed is used once the sharer says the fingerprints
  // match; from then on it is the one pinned.
  swap("(SELECT public_key FROM accounts WHERE email = 'lia@acme.test')");
  panel = await shareFolder('Plans Zebra', 'Download');
  const again = panel.getByRole('group', { name: 'Compare the key of ann@acme.test' });
  await expect(again).toContainText(`Key fingerprint the server gives now: ${liaPrint}`);
  await again.getByRole('button', { name: 'It matches: share with ann@acme.test' }).click();
  await expect(panel.getByRole('status')).toHaveText('Shared with ann@acme.test.');
  await expect(again).toHaveCount(0);
  await expect(panel.getByRole('table', { name: 'Who has access' }).getByRole('row').filter({ hasText: 'ann@acme.test' })).toContainText('Download');
  swap('(SELECT public_key FROM kept_key)');

  // Bob gets Budget too. Removing him renews Budget's key for those who
  // keep it, but Ann's key is not the one Lia now has pinned: it stops,
  // and says so.
  await addMemberAndSignIn(lia, root, browser, testInfo, 'bob@acme.test', BOB_PW);
  panel = await shareFolder('Budget Zebra', 'View', 'bob@acme.test');
  await expect(panel.getByRole('status')).toHaveText('Shared with bob@acme.test.');
  await panel.getByRole('button', { name: 'Remove access of bob@acme.test' }).click();
  await expect(panel.getByRole('alert')).toHaveText('The key of ann@acme.test is not the one you last shared with, so this item did not get a new key. Share it with them again from its Share panel to compare their key fingerprint.');
  // Shared with Ann again, compared and matched: the Boxes page renews it.
  await panel.getByLabel('Email address').fill('ann@acme.test');
  await panel.getByRole('button', { name: 'Share', exact: true }).click();
  const compareAgain = panel.getByRole('group', { name: 'Compare the key of ann@acme.test' });
  await expect(compareAgain).toContainText(`Key fingerprint you last shared with: ${liaPrint}`);
  await expect(compareAgain).toContainText(`Key fingerprint the server gives now: ${annPrint}`);
  await compareAgain.getByRole('button', { name: 'It matches: share with ann@acme.test' }).click();
  await expect(panel.getByRole('status')).toHaveText('Shared with ann@acme.test.');
  await lia.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Boxes' }).click();
  await expect(lia.getByRole('status').filter({ hasText: 'Renewed the keys' }))
    .toHaveText('Renewed the keys of 1 shared items after someone\'s access ended.');

  expectNeverStored(coffer.dataDir, ['Plans Zebra', 'Budget Zebra', ANN_PW, BOB_PW]);
  expect(problems).toEqual([]);
});
