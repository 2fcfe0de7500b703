// IMP-1 IMP-3 IMP-4: a Liaison imports a CSV with valid and invalid rows:
// preview, confirm, progress, result, downloadable report, members listed,
// invitations and the administrator's report in the outbox.
const fs = require('node:fs');
const { test, expect, newPerson, watchForProblems } = require('./fixtures');
const { ADMIN_PW: PW, setUpInstance, createOrganisation, acceptInvitationAndSignIn } = require('./steps');

const FILE = [
  'USERNAME,EMAIL,GROUP,FIRSTNAME,LASTNAME',
  'ann_b,ann@acme.test,Sales,Ann,Baker',
  ',bob@acme.test,,"Bob, Jr.",Brown',
  ',carl@acme.test,Nowhere,Carl,Cole',
  ',"=HYPERLINK(""http://evil.test"",""x"")",,,',
  ',ANN@acme.test,,Ann,Again',
  '',
].join('\r\n');

test('IMP-1 IMP-3 IMP-4: import members from CSV with a preview and a report', async ({ page: root, coffer, browser }, testInfo) => {
  test.setTimeout(90_000);
  await setUpInstance(root, coffer);
  const invitation = await createOrganisation(root, 'Acme', 10, 'lia@acme.test');
  const lia = await (await newPerson(browser, testInfo)).newPage();
  const problems = watchForProblems(lia);
  await acceptInvitationAndSignIn(lia, invitation, 'lia@acme.test', PW);
  await lia.getByRole('link', { name: 'Groups' }).click();
  await lia.getByLabel('New group').fill('Sales');
  await lia.getByRole('button', { name: 'Add group' }).click();
  await expect(lia.getByRole('status')).toHaveText('Group Sales was added.');

  await lia.getByRole('link', { name: 'Users' }).click();
  await lia.getByRole('button', { name: 'Import from CSV' }).click();
  const panel = lia.getByRole('region', { name: 'Import from CSV' });
  // A file that is not CSV gets one clear message.
  await panel.getByLabel('CSV file').setInputFiles({ name: 'photo.csv', mimeType: 'text/csv', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]) });
  await panel.getByRole('button', { name: 'Preview' }).click();
  await expect(panel.getByRole('alert')).toHaveText('The file is not a CSV text file (it is not UTF-8 text).');

  await panel.getByLabel('CSV file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(FILE) });
  await panel.getByRole('button', { name: 'Preview' }).click();
  await expect(panel.getByRole('status')).toHaveText('Format: USERNAME, EMAIL, GROUP, FIRSTNAME, LASTNAME (by column name). 5 rows: 2 to add, 3 skipped.');
  const plan = panel.getByRole('table', { name: 'What will happen' });
  await expect(plan.getByRole('row').filter({ hasText: 'carl@acme.test' })).toContainText('Skipped: The group "Nowhere" does not exist.');
  await expect(plan.getByRole('row').filter({ hasText: 'HYPERLINK' })).toContainText('Skipped: The email address is not valid.');
  await expect(plan.getByRole('row').filter({ hasText: 'ann@acme.test' }).last()).toContainText('Skipped: Duplicate of line 2.');
  // Nothing happened yet.
  await expect(lia.getByText('1 user', { exact: true })).toBeVisible();

  await panel.getByRole('button', { name: 'Import 2 members' }).click();
  await expect(panel.getByRole('status')).toHaveText('2 of 5 imported.');
  await expect(panel.getByRole('progressbar', { name: 'Import progress' })).toHaveAttribute('value', '5');
  const notImported = panel.getByRole('table', { name: 'Not imported' });
  await expect(notImported.getByRole('row').filter({ hasText: 'carl@acme.test' })).toContainText('The group "Nowhere" does not exist.');
  const [report] = await Promise.all([lia.waitForEvent('download'), panel.getByRole('link', { name: 'Download the report (CSV)' }).click()]);
  const lines = fs.readFileSync(await report.path(), 'utf8').trim().split('\n');
  expect(lines[0]).toBe('Line,Email,Result');
  expect(lines).toContain('4,carl@acme.test,"The group ""Nowhere"" does not exist."');
  // The formula the file carried comes back neutralised.
  expect(lines.find((l) => l.startsWith('5,'))).toMatch(/^5,"'=HYPERLINK/);

  // The members are listed, in their group.
  await expect(lia.getByText('3 users')).toBeVisible();
  const ann = lia.getByRole('row').filter({ hasText: 'ann@acme.test' });
  await expect(ann.getByRole('cell', { name: /^(Group: )?Sales$/ })).toBeVisible();
  await expect(lia.getByRole('row').filter({ hasText: 'bob@acme.test' }).getByRole('cell', { name: /^(First name: )?Bob, Jr\.$/ })).toBeVisible();

  // Invitations went out, and the administrator got the details. Bulk mail
  // is delivered in the background after the import: look until it is there.
  await root.getByRole('main').getByRole('link', { name: 'Outbox' }).click();
  await expect(async () => {
    await root.reload();
    await expect(root.getByRole('link', { name: 'Import finished: 2 of 5 imported into Acme' })).toBeVisible({ timeout: 1000 });
    await expect(root.getByRole('listitem').filter({ hasText: 'To bob@acme.test' })).toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout: 20000 });
  await expect(root.getByRole('listitem').filter({ hasText: 'To ann@acme.test' })).toContainText('You are invited to Acme on Coffer');
  await expect(root.getByRole('listitem').filter({ hasText: 'To bob@acme.test' })).toContainText('You are invited to Acme on Coffer');
  await expect(root.getByRole('link', { name: 'Import finished: 2 of 5 imported into Acme' })).toBeVisible();
  expect(problems).toEqual([]);
});
