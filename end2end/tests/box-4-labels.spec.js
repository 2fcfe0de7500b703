// BOX-4 labels and clearances in the browser: Lia (a Liaison) defines a
// label on the Labels page, puts it on a folder from its Share panel, and
// sharing the folder with Ann is refused until Ann is cleared for it in
// her Edit panel; taking the clearance away removes Ann's share. Bad input
// first, with its reason.
const { test, expect } = require('./fixtures');
const { liaInANewBox, addMemberAndSignIn, expectNeverStored } = require('./steps');

const ANN_PW = 'anns own long passphrase';

test('BOX-4: a labelled folder is shared only with members cleared for its label', async ({ page: root, coffer, browser }, testInfo) => {
  test.setTimeout(180_000);
  const { lia, problems } = await liaInANewBox(root, coffer, browser, testInfo, 'Deals');
  await lia.getByLabel('New folder').fill('Board Zebra');
  await lia.getByRole('button', { name: 'Create folder' }).click();
  await lia.getByRole('link', { name: 'Board Zebra' }).click();
  await expect(lia.getByRole('heading', { name: 'Board Zebra' })).toBeVisible();
  const boardUrl = lia.url();
  const ann = await addMemberAndSignIn(lia, root, browser, testInfo, 'ann@acme.test', ANN_PW);

  // The Labels page: bad names refused, then Legal.
  await lia.getByRole('link', { name: 'Labels' }).click();
  await expect(lia.getByText('No labels yet.')).toBeVisible();
  await lia.getByRole('button', { name: 'Add label' }).click();
  await expect(lia.getByRole('alert')).toHaveText('Label names are 1 to 40 characters.');
  await lia.getByLabel('New label').fill('Legal');
  await lia.getByRole('button', { name: 'Add label' }).click();
  await expect(lia.getByRole('status')).toHaveText('Label Legal was added.');
  await lia.getByLabel('New label').fill('legal');
  await lia.getByRole('button', { name: 'Add label' }).click();
  await expect(lia.getByRole('alert')).toHaveText('A label with this name already exists.');

  // The folder gets the label from its Share panel.
  await lia.goto(boardUrl);
  const panel = lia.getByRole('region', { name: 'Share' });
  await panel.getByLabel('Label').selectOption('Legal');
  await panel.getByRole('button', { name: 'Set label' }).click();
  await expect(lia.getByRole('status').filter({ hasText: 'The label is now Legal.' })).toBeVisible();
  await lia.getByRole('navigation', { name: 'Where you are' }).getByRole('link', { name: 'Deals' }).click();
  await expect(lia.getByRole('row').filter({ hasText: 'Board Zebra' }).getByTitle('Label')).toHaveText('Legal');

  // Ann is not cleared: the share is refused with the reason.
  await lia.goto(boardUrl);
  await panel.getByLabel('Email address').fill('ann@acme.test');
  await panel.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(panel.getByRole('alert')).toHaveText('That member is not cleared for a label on this item, or on something in it or above it.');

  // Cleared in her Edit panel, the share goes through.
  await lia.getByRole('link', { name: 'Users' }).click();
  await lia.getByRole('button', { name: 'Edit ann@acme.test' }).click();
  const clearances = lia.getByRole('region', { name: 'Clearances of ann@acme.test' });
  await clearances.getByLabel('Legal').check();
  await clearances.getByRole('button', { name: 'Save clearances' }).click();
  await expect(clearances.getByRole('status')).toHaveText('Clearances saved.');
  await lia.goto(boardUrl);
  await panel.getByLabel('Email address').fill('ann@acme.test');
  await panel.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(panel.getByRole('status')).toHaveText('Shared with ann@acme.test.');
  await ann.getByRole('link', { name: 'Boxes' }).click();
  await expect(ann.getByRole('region', { name: 'Shared with me' }).getByRole('link', { name: 'Board Zebra' })).toBeVisible();

  // The clearance taken away: her share goes with it.
  await lia.getByRole('link', { name: 'Users' }).click();
  await lia.getByRole('button', { name: 'Edit ann@acme.test' }).click();
  await clearances.getByLabel('Legal').uncheck();
  await clearances.getByRole('button', { name: 'Save clearances' }).click();
  await expect(clearances.getByRole('status')).toHaveText('Clearances saved. 1 shares they are no longer cleared for were removed.');
  await ann.reload();
  await expect(ann.getByText('Nothing has been shared with you here yet.')).toBeVisible();
  await lia.getByRole('link', { name: 'Labels' }).click();
  const row = lia.getByRole('row').filter({ hasText: 'Legal' });
  await expect(row.getByRole('cell').nth(1)).toHaveText('0');
  await expect(row.getByRole('cell').nth(2)).toHaveText('1');

  expectNeverStored(coffer.dataDir, ['Board Zebra']);
  expect(problems).toEqual([]);
});
