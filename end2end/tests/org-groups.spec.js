// ORG-6: groups: reserved and duplicate names refused, members placed in a
// group, a group with members cannot be removed, an empty one can.
const { test, expect, newPerson, watchForProblems } = require('./fixtures');
const { ADMIN_PW: PW, setUpInstance, createOrganisation, acceptInvitationAndSignIn } = require('./steps');

test('ORG-6: groups', async ({ page, coffer, browser }, testInfo) => {
  await setUpInstance(page, coffer);
  const invitation = await createOrganisation(page, 'Acme', 10, 'lia@acme.test');
  const lia = await (await newPerson(browser, testInfo)).newPage();
  const problems = watchForProblems(lia);
  await acceptInvitationAndSignIn(lia, invitation, 'lia@acme.test', PW);

  await lia.getByRole('link', { name: 'Groups' }).click();
  await expect(lia.getByRole('heading', { name: 'Groups' })).toBeVisible();
  for (const [name, message] of [
    ['Admin', '"Admin" is reserved; choose another group name.'],
    ['all', '"All" is reserved; choose another group name.'],
  ]) {
    await lia.getByLabel('New group').fill(name);
    await lia.getByRole('button', { name: 'Add group' }).click();
    await expect(lia.getByRole('alert')).toHaveText(message);
  }
  await lia.getByLabel('New group').fill('Sales');
  await lia.getByRole('button', { name: 'Add group' }).click();
  await expect(lia.getByRole('status')).toHaveText('Group Sales was added.');
  await lia.getByLabel('New group').fill('sales');
  await lia.getByRole('button', { name: 'Add group' }).click();
  await expect(lia.getByRole('alert')).toHaveText('A group with this name already exists.');
  await lia.getByLabel('New group').fill('Legal');
  await lia.getByRole('button', { name: 'Add group' }).click();
  await expect(lia.getByRole('status')).toHaveText('Group Legal was added.');

  // A new member goes into Sales.
  await lia.getByRole('link', { name: 'Users' }).click();
  await lia.getByRole('button', { name: 'Add user' }).click();
  const form = lia.getByRole('form', { name: 'Add user' });
  await form.getByLabel('Email').fill('ann@acme.test');
  await form.getByLabel('Group').selectOption('Sales');
  await form.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(lia.getByRole('status')).toContainText('ann@acme.test was added');
  const ann = lia.getByRole('row').filter({ hasText: 'ann@acme.test' });
  await expect(ann.getByRole('cell', { name: 'Sales' })).toBeVisible();

  // Sales has a member: its Remove is greyed out. Legal is empty: it goes.
  await lia.getByRole('link', { name: 'Groups' }).click();
  await expect(lia.getByRole('row').filter({ hasText: 'Sales' }).getByRole('cell', { name: '1' })).toBeVisible();
  await expect(lia.getByRole('button', { name: 'Remove group Sales' })).toBeDisabled();
  await lia.getByRole('button', { name: 'Remove group Legal' }).click();
  await expect(lia.getByRole('status')).toHaveText('Group Legal was removed.');
  await expect(lia.getByRole('button', { name: 'Remove group Legal' })).toHaveCount(0);
  expect(problems).toEqual([]);
});
