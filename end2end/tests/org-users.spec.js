// ORG-1 Users page (search with field selector and wildcards, sort, paging),
// ORG-3 Add user, ORG-7 licence seats, as an organisation's Liaison sees them.
const { test, expect, newPerson, watchForProblems } = require('./fixtures');

const fs = require('node:fs');
const { ADMIN_PW: PW, setUpInstance, createOrganisation, acceptInvitationAndSignIn, readXlsx } = require('./steps');

async function addUser(page, email, first, last, role) {
  await page.getByRole('button', { name: 'Add user' }).click();
  const form = page.getByRole('form', { name: 'Add user' });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('First name').fill(first);
  await form.getByLabel('Last name').fill(last);
  await form.getByLabel('Role').selectOption(role);
  await form.getByRole('button', { name: 'Add', exact: true }).click();
}

test('ORG-1 ORG-3 ORG-7: Liaison lists, searches, sorts and adds users within the seats', async ({ page, coffer, browser }, testInfo) => {
  // The instance administrator creates Acme with 3 seats for lia@acme.test.
  await setUpInstance(page, coffer);
  const invitation = await createOrganisation(page, 'Acme', 3, 'lia@acme.test');

  // The Liaison accepts and signs in; the Users link is in the navigation.
  const lia = await (await newPerson(browser, testInfo)).newPage();
  const problems = watchForProblems(lia);
  await acceptInvitationAndSignIn(lia, invitation, 'lia@acme.test', PW);
  await lia.getByRole('link', { name: 'Users' }).click();
  await expect(lia.getByRole('heading', { name: 'Users · Acme' })).toBeVisible();
  await expect(lia.getByTestId('seats')).toHaveText('Licences: 1 of 3 in use, 2 available. Expires 2099-12-31.');
  await expect(lia.getByRole('cell', { name: /^(Email: )?lia@acme\.test$/ })).toBeVisible();

  // Bad input is refused with a clear message; nothing is added.
  await addUser(lia, 'ann@', 'Ann', 'Archer', 'Originator');
  await expect(lia.getByRole('alert')).toHaveText('Enter a valid email address, like name@example.com.');
  await lia.getByRole('button', { name: 'Cancel' }).click();

  await addUser(lia, 'ann@acme.test', 'Ann', 'Archer', 'Originator');
  await expect(lia.getByRole('status')).toHaveText('ann@acme.test was added and invited by email.');
  await addUser(lia, 'bob@acme.test', 'Bob', 'Baker', 'Collaborator');
  await expect(lia.getByRole('status')).toHaveText('bob@acme.test was added and invited by email.');
  await expect(lia.getByTestId('seats')).toHaveText('Licences: 3 of 3 in use, 0 available. Expires 2099-12-31.');
  await expect(lia.getByText('3 users')).toBeVisible();

  // ORG-7: the fourth does not fit.
  await addUser(lia, 'cy@acme.test', 'Cy', 'Cole', 'Collaborator');
  await expect(lia.getByRole('alert')).toHaveText('No licences available: every licence seat of this organisation is in use.');
  await lia.getByRole('button', { name: 'Cancel' }).click();

  // ORG-1: search one field with a wildcard, then contains across all fields.
  await lia.getByLabel('Search in').selectOption('First name');
  await lia.getByLabel('Search users').fill('b*');
  await expect(lia.getByText('1 user', { exact: true })).toBeVisible();
  await expect(lia.getByRole('cell', { name: /^(Email: )?bob@acme\.test$/ })).toBeVisible();
  await expect(lia.getByRole('cell', { name: /^(Email: )?ann@acme\.test$/ })).toHaveCount(0);
  await lia.getByLabel('Search in').selectOption('All');
  await lia.getByLabel('Search users').fill('collab');
  await expect(lia.getByText('1 user', { exact: true })).toBeVisible();
  await lia.getByLabel('Search users').fill('');
  await expect(lia.getByText('3 users')).toBeVisible();

  // Sort by email, both ways.
  const firstEmail = () => lia.locator('tbody tr').first().locator('td').first();
  await expect(firstEmail()).toHaveText('ann@acme.test');
  await lia.getByRole('button', { name: /^Email/ }).click();
  await expect(firstEmail()).toHaveText('lia@acme.test');
  await expect(lia.getByRole('columnheader', { name: /Email/ })).toHaveAttribute('aria-sort', 'descending');
  await lia.getByRole('button', { name: /^Last name/ }).click();
  await expect(firstEmail()).toHaveText('lia@acme.test'); // empty last name sorts first
  await expect(lia.getByText('Page 1 of 1')).toBeVisible();
  await expect(lia.getByRole('button', { name: 'Next page', exact: true })).toBeDisabled();

  // ORG-1 column chooser, remembered for this administrator.
  await lia.getByText('Columns', { exact: true }).click();
  await expect(lia.getByRole('checkbox', { name: 'Email' })).toBeDisabled();
  await lia.getByRole('checkbox', { name: 'Account type' }).uncheck();
  await expect(lia.getByRole('columnheader', { name: /Account type/ })).toHaveCount(0);
  await lia.reload();
  await expect(lia.getByRole('cell', { name: /^(Email: )?bob@acme\.test$/ })).toBeVisible();
  await expect(lia.getByRole('columnheader', { name: /Account type/ })).toHaveCount(0);
  await expect(lia.getByRole('columnheader', { name: /Last name/ })).toBeVisible();

  // ORG-2 exports of the current filter and columns.
  await lia.getByLabel('Search users').fill('collab');
  await expect(lia.getByText('1 user', { exact: true })).toBeVisible();
  const [csv] = await Promise.all([lia.waitForEvent('download'), lia.getByRole('button', { name: 'Export to CSV' }).click()]);
  expect(csv.suggestedFilename()).toMatch(/^users-\d{4}-\d{2}-\d{2}\.csv$/);
  const csvText = fs.readFileSync(await csv.path(), 'utf8');
  expect(csvText.trim().split('\n')).toEqual(['Email,First name,Last name,Role,Admin,Group,Plan,Locked,MFA,Usage', 'bob@acme.test,Bob,Baker,Collaborator,None,,,,No,0 bytes']);
  await lia.getByLabel('Search users').fill('');
  await expect(lia.getByText('3 users')).toBeVisible();
  await lia.getByRole('button', { name: /^Email/ }).click();
  await expect(lia.getByRole('columnheader', { name: /Email/ })).toHaveAttribute('aria-sort', 'descending');
  const [xlsx] = await Promise.all([lia.waitForEvent('download'), lia.getByRole('button', { name: 'Export to Excel' }).click()]);
  expect(xlsx.suggestedFilename()).toMatch(/^users-\d{4}-\d{2}-\d{2}\.xlsx$/);
  const saved = testInfo.outputPath(xlsx.suggestedFilename());
  await xlsx.saveAs(saved);
  const rows = readXlsx(saved);
  expect(rows[0]).toEqual(['Email', 'First name', 'Last name', 'Role', 'Admin', 'Group', 'Plan', 'Locked', 'MFA', 'Usage']);
  expect(rows.slice(1).map((r) => r[0])).toEqual(['lia@acme.test', 'bob@acme.test', 'ann@acme.test']);

  // ORG-4: upgrade Bob's role and make him an Admin; roles only go up.
  await lia.getByRole('button', { name: 'Edit bob@acme.test' }).click();
  const edit = lia.getByRole('form', { name: 'Edit bob@acme.test' });
  await expect(edit.getByLabel('Role').locator('option')).toHaveText(['Collaborator', 'Originator']);
  await edit.getByLabel('Role').selectOption('Originator');
  await edit.getByLabel('Administrator tier').selectOption('Admin');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit.getByRole('status')).toHaveText('bob@acme.test was updated.');
  const bob = lia.getByRole('row').filter({ hasText: 'bob@acme.test' });
  await expect(bob.getByRole('cell', { name: 'Originator' })).toBeVisible();
  await expect(bob.getByRole('cell', { name: /^(Admin: )?Admin$/ })).toBeVisible();
  await edit.getByRole('button', { name: 'Close' }).click();
  // Nobody edits their own tier: the field is not offered.
  await lia.getByRole('button', { name: 'Edit lia@acme.test' }).click();
  await expect(lia.getByRole('form', { name: 'Edit lia@acme.test' }).getByLabel('Administrator tier')).toHaveCount(0);
  expect(problems).toEqual([]);
});
