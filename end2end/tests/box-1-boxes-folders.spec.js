// BOX-1, CRY-1, CRY-3, BOX-10: an Originator creates a box and folders in
// it, renames them, deletes one to the trash and restores it, empties the
// trash of another, deletes a whole box, restores it and deletes it for good; the names are
// sealed in the browser (the database holds none of them) and opened again
// after a reload; another member of the organisation sees neither the box
// nor its folders.
const fs = require('node:fs');
const path = require('node:path');
const { test, expect, newPerson, watchForProblems } = require('./fixtures');
const { ADMIN_PW: PW, setUpInstance, createOrganisation, acceptInvitationAndSignIn, addMemberAndSignIn } = require('./steps');

const ANN_PW = 'anns own long passphrase';

/// Every byte SQLite holds for the instance: the database and its log.
function databaseBytes(dataDir) {
  return ['coffer.db', 'coffer.db-wal']
    .map((f) => path.join(dataDir, f))
    .filter((f) => fs.existsSync(f))
    .map((f) => fs.readFileSync(f))
    .reduce((all, b) => Buffer.concat([all, b]), Buffer.alloc(0));
}

test('BOX-1: boxes and folders with names sealed in the browser', async ({ page: root, coffer, browser }, testInfo) => {
  test.setTimeout(120_000);
  await setUpInstance(root, coffer);
  const invitation = await createOrganisation(root, 'Acme', 10, 'lia@acme.test');
  const lia = await (await newPerson(browser, testInfo)).newPage();
  const problems = watchForProblems(lia);
  await acceptInvitationAndSignIn(lia, invitation, 'lia@acme.test', PW);

  await lia.getByRole('link', { name: 'Boxes' }).click();
  await expect(lia.getByRole('heading', { name: 'Boxes' })).toBeVisible();
  await expect(lia.getByText('You have no boxes yet.')).toBeVisible();

  // A name the browser refuses before any key is made.
  for (const bad of ['Plans/2027', '..']) {
    await lia.getByLabel('New box').fill(bad);
    await lia.getByRole('button', { name: 'Create box' }).click();
    await expect(lia.getByRole('alert')).toHaveText('Names are 1 to 255 characters, without “/”, and not only dots.');
  }
  await lia.getByLabel('New box').fill('Quarterly reports');
  await lia.getByRole('button', { name: 'Create box' }).click();
  await expect(lia.getByRole('status')).toHaveText('Box “Quarterly reports” created.');
  await expect(lia.getByRole('alert')).toHaveCount(0);
  await lia.getByRole('link', { name: 'Quarterly reports' }).click();

  await expect(lia.getByRole('heading', { name: 'Quarterly reports' })).toBeVisible();
  await expect(lia.getByText('This folder is empty.')).toBeVisible();
  await lia.getByLabel('New folder').fill('Drafts');
  await lia.getByRole('button', { name: 'Create folder' }).click();
  await expect(lia.getByRole('status')).toHaveText('Folder “Drafts” created.');
  await lia.getByRole('link', { name: 'Drafts' }).click();
  await expect(lia.getByRole('heading', { name: 'Drafts' })).toBeVisible();
  await lia.getByLabel('New folder').fill('Board minutes');
  await lia.getByRole('button', { name: 'Create folder' }).click();
  await expect(lia.getByRole('link', { name: 'Board minutes' })).toBeVisible();

  // After a reload the names open again, down the key tree from the
  // member's own key; the breadcrumb leads back up.
  const draftsUrl = lia.url();
  await lia.reload();
  await expect(lia.getByRole('heading', { name: 'Drafts' })).toBeVisible();
  await expect(lia.getByRole('link', { name: 'Board minutes' })).toBeVisible();
  const crumbs = lia.getByRole('navigation', { name: 'Where you are' });
  await expect(crumbs.getByRole('listitem')).toHaveText(['Boxes', 'Quarterly reports', 'Drafts']);
  // Nothing wider than the screen, on a phone too.
  expect(await lia.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await crumbs.getByRole('link', { name: 'Quarterly reports' }).click();
  await expect(lia.getByRole('heading', { name: 'Quarterly reports' })).toBeVisible();
  await expect(lia.getByRole('link', { name: 'Drafts' })).toBeVisible();

  // Renaming seals a new record; a bad name is refused in the browser.
  await lia.getByRole('button', { name: 'Rename Drafts' }).click();
  await lia.getByLabel('New name for Drafts').fill('a/b');
  await lia.getByRole('button', { name: 'Save name' }).click();
  await expect(lia.getByRole('alert')).toHaveText('Names are 1 to 255 characters, without “/”, and not only dots.');
  await lia.getByLabel('New name for Drafts').fill('Drafts 2027');
  await lia.getByRole('button', { name: 'Save name' }).click();
  await expect(lia.getByRole('status')).toHaveText('Renamed to “Drafts 2027”.');
  await expect(lia.getByRole('link', { name: 'Drafts 2027' })).toBeVisible();
  await lia.getByRole('link', { name: 'Boxes', exact: true }).first().click();
  await lia.getByRole('button', { name: 'Rename Quarterly reports' }).click();
  await lia.getByLabel('New name for Quarterly reports').fill('Annual reports');
  await lia.getByRole('button', { name: 'Save name' }).click();
  await expect(lia.getByRole('link', { name: 'Annual reports' })).toBeVisible();

  // BOX-10: Delete moves a folder, with what is in it, to the box's trash;
  // Restore puts it back.
  await lia.getByRole('link', { name: 'Annual reports' }).click();
  await lia.getByRole('button', { name: 'Delete Drafts 2027' }).click();
  await expect(lia.getByRole('status')).toHaveText('“Drafts 2027” moved to the trash.');
  await expect(lia.getByRole('link', { name: 'Drafts 2027' })).toHaveCount(0);
  await lia.getByRole('link', { name: 'Trash' }).click();
  const trashed = lia.getByRole('row').filter({ hasText: 'Drafts 2027' });
  await expect(trashed.getByRole('cell', { name: 'Annual reports' })).toBeVisible();
  await lia.getByRole('button', { name: 'Restore Drafts 2027' }).click();
  await expect(lia.getByRole('status')).toHaveText('“Drafts 2027” restored.');
  await expect(lia.getByText('The trash is empty.')).toBeVisible();
  await lia.getByRole('link', { name: 'Back to the box' }).click();

  // Empty trash deletes for good, after a confirmation.
  await lia.getByLabel('New folder').fill('Scratch');
  await lia.getByRole('button', { name: 'Create folder' }).click();
  await lia.getByRole('button', { name: 'Delete Scratch' }).click();
  await expect(lia.getByRole('status')).toHaveText('“Scratch” moved to the trash.');
  await lia.getByRole('link', { name: 'Trash' }).click();
  await lia.getByRole('button', { name: 'Empty trash' }).click();
  await lia.getByRole('group', { name: 'Confirm emptying the trash' }).getByRole('button', { name: 'Yes, empty the trash' }).click();
  await expect(lia.getByRole('status')).toHaveText('The trash was emptied.');
  await expect(lia.getByText('The trash is empty.')).toBeVisible();
  await lia.getByRole('link', { name: 'Back to the box' }).click();
  await expect(lia.getByRole('link', { name: 'Scratch' })).toHaveCount(0);
  await lia.getByRole('link', { name: 'Drafts 2027' }).click();
  await expect(lia.getByRole('link', { name: 'Board minutes' })).toBeVisible();

  // A whole box: deleted, it waits under "Deleted boxes"; restored, it is
  // back; deleted for good after a confirmation, it is gone.
  await lia.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Boxes' }).click();
  await lia.getByLabel('New box').fill('Old matters');
  await lia.getByRole('button', { name: 'Create box' }).click();
  await lia.getByRole('button', { name: 'Delete Old matters' }).click();
  await expect(lia.getByRole('status')).toHaveText('“Old matters” moved to the trash.');
  await expect(lia.getByRole('link', { name: 'Old matters' })).toHaveCount(0);
  const deleted = lia.getByRole('region', { name: 'Deleted boxes' });
  await deleted.getByRole('button', { name: 'Restore Old matters' }).click();
  await expect(lia.getByRole('link', { name: 'Old matters' })).toBeVisible();
  await expect(deleted).toHaveCount(0);
  await lia.getByRole('button', { name: 'Delete Old matters' }).click();
  await deleted.getByRole('button', { name: 'Delete for good: Old matters' }).click();
  await lia.getByRole('group', { name: 'Confirm deleting Old matters for good' }).getByRole('button', { name: 'Yes, delete it for good' }).click();
  await expect(lia.getByText('“Old matters” was deleted for good.')).toBeVisible();
  await expect(deleted).toHaveCount(0);
  await expect(lia.getByRole('link', { name: 'Old matters' })).toHaveCount(0);
  await expect(lia.getByRole('link', { name: 'Annual reports' })).toBeVisible();

  // CRY-1: the server holds none of the names (the addresses it does hold
  // show the right files were read).
  const stored = databaseBytes(coffer.dataDir);
  expect(stored.includes('lia@acme.test')).toBe(true);
  for (const name of ['Quarterly reports', 'Annual reports', 'Drafts', 'Board minutes']) {
    expect(stored.includes(name), name).toBe(false);
    expect(stored.includes(Buffer.from(name, 'utf16le')), name).toBe(false);
  }

  // Another Originator of the organisation sees no box, and the folder's
  // address tells them nothing.
  const ann = await addMemberAndSignIn(lia, root, browser, testInfo, 'ann@acme.test', ANN_PW);
  await ann.getByRole('link', { name: 'Boxes' }).click();
  await expect(ann.getByText('You have no boxes yet.')).toBeVisible();
  await ann.goto(draftsUrl);
  await expect(ann.getByRole('alert')).toHaveText('That box or folder does not exist, or you cannot see it.');
  await expect(ann.getByText('Board minutes')).toHaveCount(0);
  expect(problems).toEqual([]);
});
