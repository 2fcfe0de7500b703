// AUD-1: an organisation administrator reads, filters, exports and verifies
// the audit log; tampering with the database is reported at its place.
const fs = require('node:fs');
const { test, expect, newPerson, watchForProblems } = require('./fixtures');
const { ADMIN_PW: PW, setUpInstance, createOrganisation, acceptInvitationAndSignIn, sqlite } = require('./steps');

test('AUD-1: audit log filters, export, verify and tamper detection', async ({ page, coffer, browser }, testInfo) => {
  await setUpInstance(page, coffer);
  const invitation = await createOrganisation(page, 'Acme', 10, 'lia@acme.test');
  const lia = await (await newPerson(browser, testInfo)).newPage();
  const problems = watchForProblems(lia);
  await acceptInvitationAndSignIn(lia, invitation, 'lia@acme.test', PW);
  for (const email of ['ann@acme.test', 'bob@acme.test']) {
    await lia.getByRole('link', { name: 'Users' }).click();
    await lia.getByRole('button', { name: 'Add user' }).click();
    const form = lia.getByRole('form', { name: 'Add user' });
    await form.getByLabel('Email').fill(email);
    await form.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(lia.getByRole('status')).toContainText(`${email} was added`);
  }

  await lia.getByRole('link', { name: 'Audit log' }).click();
  await expect(lia.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  await expect(lia.getByText('7 records')).toBeVisible();
  await expect(lia.locator('tbody tr').first()).toContainText('invitation.sent');
  await lia.getByLabel('Action').selectOption('Members');
  await expect(lia.getByText('3 records')).toBeVisible();
  await lia.getByLabel('Target').fill('bob');
  await lia.getByLabel('Target').press('Enter');
  await expect(lia.getByText('1 records')).toBeVisible();
  const [csv] = await Promise.all([lia.waitForEvent('download'), lia.getByRole('button', { name: 'Export to CSV' }).click()]);
  const lines = fs.readFileSync(await csv.path(), 'utf8').trim().split('\n');
  expect(lines[0]).toBe('Sequence,Time (UTC),Actor,Action,Target,Details');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain('bob@acme.test');

  await lia.getByRole('button', { name: 'Verify' }).click();
  await expect(lia.getByRole('status')).toHaveText('The audit log is intact: 7 records checked.');
  // Someone with database access rewrites history.
  sqlite(coffer.dataDir, "UPDATE audit_events SET target = 'mallory@evil.test' WHERE action = 'member.added' AND target = 'ann@acme.test'");
  await lia.getByRole('button', { name: 'Verify' }).click();
  await expect(lia.getByRole('status')).toHaveText('The audit log was tampered with: record 4 fails (its contents were changed).');
  expect(problems).toEqual([]);
});
