// ORG-8 plans, PKG-8 per-member permissions, ORG-5 removal with transfer
// and ORG-10 logo, as an organisation's Liaison does them.
const { test, expect, newPerson, watchForProblems } = require('./fixtures');
const { ADMIN_PW: PW, setUpInstance, createOrganisation, acceptInvitationAndSignIn, makePng } = require('./steps');

async function addUser(lia, email, role) {
  await lia.getByRole('link', { name: 'Users' }).click();
  await lia.getByRole('button', { name: 'Add user' }).click();
  const form = lia.getByRole('form', { name: 'Add user' });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Role').selectOption(role);
  await form.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(lia.getByRole('status')).toContainText(`${email} was added`);
}

test('ORG-8 PKG-8 ORG-5 ORG-10: plans, permissions, removal and logo', async ({ page: root, coffer, browser }, testInfo) => {
  test.setTimeout(120_000);
  await setUpInstance(root, coffer);
  const invitation = await createOrganisation(root, 'Acme', 10, 'lia@acme.test');
  const lia = await (await newPerson(browser, testInfo)).newPage();
  const problems = watchForProblems(lia);
  await acceptInvitationAndSignIn(lia, invitation, 'lia@acme.test', PW);

  // ORG-8: plans, with bad input refused and the default protected.
  await lia.getByRole('link', { name: 'Plans' }).click();
  await expect(lia.getByText('No plans yet. The first plan you add becomes the default.')).toBeVisible();
  const planForm = lia.getByRole('form', { name: 'Plan' });
  await planForm.getByLabel('Plan name').fill('Standard');
  await planForm.getByLabel('Storage quota (GB)').fill('lots');
  await planForm.getByRole('button', { name: 'Add plan' }).click();
  await expect(lia.getByRole('alert')).toHaveText('Storage quota must be a whole number of gigabytes.');
  await planForm.getByLabel('Storage quota (GB)').fill('0');
  await planForm.getByRole('button', { name: 'Add plan' }).click();
  await expect(lia.getByRole('alert')).toHaveText('The quota must be a whole number of gigabytes from 1 to 1,000,000.');
  await expect(lia.locator('tbody tr')).toHaveCount(0); // nothing was saved
  await planForm.getByLabel('Storage quota (GB)').fill('50');
  await planForm.getByRole('button', { name: 'Add plan' }).click();
  await expect(lia.getByRole('status')).toHaveText('Plan “Standard” saved.');
  await expect(lia.getByRole('cell', { name: /^(Name: )?Standard \(default\)$/ })).toBeVisible();
  await planForm.getByLabel('Plan name').fill('Standard');
  await planForm.getByLabel('Storage quota (GB)').fill('60');
  await planForm.getByRole('button', { name: 'Add plan' }).click();
  await expect(lia.getByRole('alert')).toHaveText('A plan with this name already exists.');
  await planForm.getByLabel('Plan name').fill('Large');
  await planForm.getByLabel('Storage quota (GB)').fill('500');
  await planForm.getByRole('button', { name: 'Add plan' }).click();
  await expect(lia.getByRole('status')).toHaveText('Plan “Large” saved.');
  await expect(lia.getByRole('button', { name: 'Remove Standard' })).toBeDisabled();
  await lia.getByRole('button', { name: 'Make default: Large' }).click();
  await expect(lia.getByRole('status')).toHaveText('“Large” is now the default plan.');
  await lia.getByRole('button', { name: 'Edit Standard' }).click();
  await planForm.getByLabel('Storage quota (GB)').fill('75');
  await planForm.getByRole('button', { name: 'Save plan' }).click();
  await expect(lia.getByRole('status')).toHaveText('Plan “Standard” saved.');
  await expect(lia.getByRole('row').filter({ hasText: 'Standard' }).getByRole('cell', { name: /^(Quota: )?75 GB$/ })).toBeVisible();

  // New Originators get the default plan.
  await addUser(lia, 'ann@acme.test', 'Originator');
  await addUser(lia, 'carl@acme.test', 'Originator');
  const annRow = lia.getByRole('row').filter({ hasText: 'ann@acme.test' });
  await expect(annRow.getByRole('cell', { name: /^(Plan: )?Large$/ })).toBeVisible();

  // The member panel: plan and the PKG-8 flags under "only selected".
  await annRow.getByRole('button', { name: 'Edit ann@acme.test' }).click();
  const perms = lia.getByRole('form', { name: 'Plan and permissions of ann@acme.test' });
  await perms.getByLabel('Plan').selectOption({ label: 'Standard (75 GB)' });
  await expect(perms.getByRole('checkbox', { name: /^Sign in/ })).toBeDisabled();
  await expect(perms.getByRole('checkbox', { name: /^Sign in/ })).toBeChecked();
  await expect(perms.getByRole('checkbox', { name: 'Briefcase' })).not.toBeChecked();
  await perms.getByRole('checkbox', { name: 'Briefcase' }).check();
  await perms.getByRole('button', { name: 'Save plan and permissions' }).click();
  await expect(perms.getByRole('status')).toHaveText('Plan and permissions saved.');
  await expect(annRow.getByRole('cell', { name: /^(Plan: )?Standard$/ })).toBeVisible();
  await lia.reload();
  await lia.getByRole('button', { name: 'Edit ann@acme.test' }).click();
  await expect(perms.getByRole('checkbox', { name: 'Briefcase' })).toBeChecked();
  await expect(perms.getByLabel('Plan')).toHaveValue(/.+/);
  await lia.getByRole('button', { name: 'Close' }).click();

  // A plan in use cannot be removed.
  await lia.getByRole('link', { name: 'Plans' }).click();
  await expect(lia.getByRole('row').filter({ hasText: 'Standard' }).getByRole('cell', { name: /^(Members: )?1$/ })).toBeVisible();
  await expect(lia.getByRole('button', { name: 'Remove Standard' })).toBeDisabled();

  // ORG-5: Ann leaves; her items go to Carl.
  await lia.getByRole('link', { name: 'Users' }).click();
  await lia.getByRole('button', { name: 'Edit ann@acme.test' }).click();
  const removal = lia.getByRole('region', { name: 'Remove ann@acme.test' });
  await expect(removal.getByLabel('Their items').locator('option')).toHaveText(['Transfer to carl@acme.test', 'Transfer to lia@acme.test', 'Delete permanently']);
  await removal.getByLabel('Their items').selectOption({ label: 'Delete permanently' });
  await expect(removal.getByText('Their items are deleted permanently. This cannot be undone.')).toBeVisible();
  await removal.getByLabel('Their items').selectOption({ label: 'Transfer to carl@acme.test' });
  await expect(removal.getByText(/Their items move to carl@acme\.test/)).toBeVisible();
  await removal.getByRole('button', { name: 'Remove member' }).click();
  await removal.getByRole('button', { name: 'Cancel' }).click();
  await expect(annRow).toHaveCount(1);
  await removal.getByRole('button', { name: 'Remove member' }).click();
  await removal.getByRole('button', { name: 'Yes, remove' }).click();
  await expect(lia.getByRole('status')).toHaveText('ann@acme.test was removed.');
  await expect(annRow).toHaveCount(0);
  await expect(lia.getByText('2 users')).toBeVisible();

  // ORG-10: the logo is checked by content and scaled to fit 288 × 96.
  await lia.getByRole('link', { name: 'Configuration' }).click();
  const logo = lia.getByRole('region', { name: 'Logo' });
  await logo.getByLabel('Logo image').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') });
  await logo.getByRole('button', { name: 'Upload logo' }).click();
  await expect(logo.getByRole('alert')).toHaveText('The logo must be a PNG, JPEG or GIF image. This file is not one, whatever its name says.');
  await expect(lia.getByRole('img', { name: 'Acme logo' })).toHaveCount(0);
  await logo.getByLabel('Logo image').setInputFiles({ name: 'wide.png', mimeType: 'image/png', buffer: makePng(1000, 200) });
  await logo.getByRole('button', { name: 'Upload logo' }).click();
  await expect(logo.getByRole('status')).toHaveText('Logo saved (288 × 58 pixels).');
  const shown = lia.getByRole('banner').getByRole('img', { name: 'Acme logo' });
  await expect(shown).toBeVisible();
  await expect.poll(() => shown.evaluate((img) => img.naturalWidth)).toBe(288);
  await logo.getByRole('button', { name: 'Remove logo' }).click();
  await expect(logo.getByRole('status')).toHaveText('Logo removed.');
  await expect(shown).toHaveCount(0);

  expect(problems).toEqual([]);
});
