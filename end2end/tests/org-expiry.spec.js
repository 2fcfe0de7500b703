// ORG-7: after the licence expiry date members cannot sign in and are told
// why; the instance administrator sees the organisation marked expired.
const { test, expect, newPerson } = require('./fixtures');
const { ADMIN_PW: PW, setUpInstance, createOrganisation, acceptInvitationAndSignIn, signIn, sqlite } = require('./steps');

test('ORG-7: expired licence stops sign-in with a clear reason', async ({ page, coffer, browser }, testInfo) => {
  await setUpInstance(page, coffer);
  const invitation = await createOrganisation(page, 'Acme', 5, 'lia@acme.test');
  const lia = await (await newPerson(browser, testInfo)).newPage();
  await acceptInvitationAndSignIn(lia, invitation, 'lia@acme.test', PW);
  await expect(lia.getByRole('heading', { name: 'My account' })).toBeVisible();
  await lia.getByRole('button', { name: 'Sign out' }).click();
  await expect(lia.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  sqlite(coffer.dataDir, "UPDATE organisations SET expiry_date = '2001-01-31'");
  await signIn(lia, 'lia@acme.test', PW);
  await expect(lia.getByRole('alert')).toHaveText("Your organisation's licence expired on 2001-01-31. Ask your administrator to renew it.");
  // A wrong password gets no hint about the licence.
  await signIn(lia, 'lia@acme.test', 'not the password');
  await expect(lia.getByRole('alert')).toHaveText('The email, user name or password is incorrect.');

  await page.getByRole('link', { name: 'Organisations' }).click();
  await page.reload();
  await expect(page.getByRole('cell', { name: '2001-01-31 (expired)' })).toBeVisible();
});
