// ACC-9: a member edits their own profile; a malformed mobile number is
// refused with a clear message and nothing changes.
const { test, expect, newPerson, watchForProblems } = require('./fixtures');
const { ADMIN_PW: PW, setUpInstance, createOrganisation, acceptInvitationAndSignIn } = require('./steps');

test('ACC-9: own profile', async ({ page, coffer, browser }, testInfo) => {
  await setUpInstance(page, coffer);
  const invitation = await createOrganisation(page, 'Acme', 5, 'ann@acme.test');
  const ann = await (await newPerson(browser, testInfo)).newPage();
  const problems = watchForProblems(ann);
  await acceptInvitationAndSignIn(ann, invitation, 'ann@acme.test', PW);
  const profile = ann.getByRole('form', { name: 'Profile' });
  await profile.getByLabel('First name').fill('Ann');
  await profile.getByLabel('Last name').fill('Archer');
  await profile.getByLabel('Mobile').fill('07700 900123');
  await profile.getByRole('button', { name: 'Save profile' }).click();
  await expect(profile.getByRole('alert')).toHaveText(
    'Enter the mobile number in international form: + and country code, then 6 to 14 digits, like +447700900123.');
  await profile.getByLabel('Mobile').fill('+44 7700 900123');
  await profile.getByRole('button', { name: 'Save profile' }).click();
  await expect(profile.getByRole('status')).toHaveText('Your profile was saved.');
  await expect(profile.getByLabel('Mobile')).toHaveValue('+447700900123');
  await ann.reload();
  await expect(ann.getByRole('form', { name: 'Profile' }).getByLabel('Last name')).toHaveValue('Archer');
  // The organisation's Liaison (Ann herself) sees the names on the Users page.
  await ann.getByRole('link', { name: 'Users' }).click();
  await expect(ann.getByRole('cell', { name: /^(First name: )?Ann$/ })).toBeVisible();
  expect(problems).toEqual([]);
});
