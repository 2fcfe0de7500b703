// ORG-9 points of contact and ACC-10 "Contact login administrator".
const { test, expect, newPerson, watchForProblems } = require('./fixtures');
const { ADMIN_PW: PW, setUpInstance, createOrganisation, acceptInvitationAndSignIn } = require('./steps');

async function addUser(page, email, admin) {
  await page.getByRole('button', { name: 'Add user' }).click();
  const form = page.getByRole('form', { name: 'Add user' });
  await form.getByLabel('Email').fill(email);
  if (admin) await form.getByLabel('Administrator').check();
  await form.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(page.getByRole('status')).toContainText(`${email} was added`);
}

test('ORG-9 ACC-10: points of contact receive sign-in help requests', async ({ page, coffer, browser }, testInfo) => {
  await setUpInstance(page, coffer);
  const invitation = await createOrganisation(page, 'Acme', 10, 'lia@acme.test');
  const lia = await (await newPerson(browser, testInfo)).newPage();
  const problems = watchForProblems(lia);
  await acceptInvitationAndSignIn(lia, invitation, 'lia@acme.test', PW);
  await lia.getByRole('link', { name: 'Users' }).click();
  await addUser(lia, 'bob@acme.test', true);
  await addUser(lia, 'ann@acme.test', false);

  // A point of contact must be an administrator.
  await lia.getByRole('button', { name: 'Edit ann@acme.test' }).click();
  let edit = lia.getByRole('form', { name: 'Edit ann@acme.test' });
  await edit.getByLabel('Point of contact').check();
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit.getByRole('alert')).toHaveText('Points of contact must be administrators (Admin or Liaison).');
  await edit.getByRole('button', { name: 'Close' }).click();
  await lia.getByRole('button', { name: 'Edit bob@acme.test' }).click();
  edit = lia.getByRole('form', { name: 'Edit bob@acme.test' });
  await edit.getByLabel('Point of contact').check();
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit.getByRole('status')).toHaveText('bob@acme.test was updated.');

  // Ann cannot sign in and asks for help from the sign-in page.
  const ann = await (await newPerson(browser, testInfo)).newPage();
  await ann.goto(`${coffer.url}/sign-in`);
  await ann.getByLabel('Email or user name').fill('ann@acme.test');
  await ann.getByRole('button', { name: 'Contact login administrator' }).click();
  await expect(ann.getByLabel('Your email')).toHaveValue('ann@acme.test');
  await ann.getByLabel('Message').fill('I never got my invitation.');
  await ann.getByRole('button', { name: 'Send to administrators' }).click();
  await expect(ann.getByRole('status')).toHaveText('If this address belongs to an organisation, its administrators were sent your message.');

  // Only the point of contact was mailed. The request is handled after the
  // answer (so its timing says nothing about the address): look again until
  // the mail is there, as a person would.
  await page.getByRole('link', { name: 'Outbox', exact: true }).click();
  const help = page.getByRole('link', { name: 'Sign-in help requested by ann@acme.test' });
  await expect(async () => {
    await page.reload();
    await expect(help).toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout: 20000 });
  await page.getByRole('link', { name: 'Sign-in help requested by ann@acme.test' }).click();
  await expect(page.getByText('To bob@acme.test')).toBeVisible();
  await expect(page.getByText('I never got my invitation.')).toBeVisible();
  expect(problems).toEqual([]);
});
