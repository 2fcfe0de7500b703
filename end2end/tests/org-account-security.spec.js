// ORG-12 lockout threshold, ACC-6 lockout (admin Unlock and the emailed
// self-unlock link), ORG-11 history, ACC-5 security question and ACC-7
// admin password reset with new keys.
const { test, expect, newPerson, watchForProblems } = require('./fixtures');
const { ADMIN_PW: PW, setUpInstance, createOrganisation, acceptInvitationAndSignIn, signIn } = require('./steps');

const BOB_PW = 'bobs very own passphrase';
const NEW_PW = 'a brand new passphrase for bob';

async function latestLink(root, subject, pattern) {
  await root.getByRole('main').getByRole('link', { name: 'Outbox' }).click();
  await root.getByRole('link', { name: subject }).first().click();
  return root.getByRole('link', { name: pattern }).getAttribute('href');
}

async function failSignIn(page, email, times) {
  for (let i = 0; i < times; i += 1) {
    await signIn(page, email, 'not the password at all');
    await expect(page.getByRole('alert')).toHaveText('The email, user name or password is incorrect.');
  }
}

test('ACC-5 ACC-6 ACC-7 ORG-11 ORG-12: lockout, unlock, history and admin password reset', async ({ page: root, coffer, browser }, testInfo) => {
  test.setTimeout(120_000);
  await setUpInstance(root, coffer);
  const invitation = await createOrganisation(root, 'Acme', 10, 'lia@acme.test');
  const lia = await (await newPerson(browser, testInfo)).newPage();
  const problems = watchForProblems(lia);
  await acceptInvitationAndSignIn(lia, invitation, 'lia@acme.test', PW);

  // ORG-12: bad input is named and nothing is saved; then three strikes.
  await lia.getByRole('link', { name: 'Configuration' }).click();
  const config = lia.getByRole('form', { name: 'Organisation configuration' });
  await config.getByLabel('Lockout threshold').fill('lots');
  await config.getByRole('button', { name: 'Save configuration' }).click();
  await expect(config.getByRole('alert')).toHaveText('Lockout threshold must be a whole number.');
  await config.getByLabel('Lockout threshold').fill('0');
  await config.getByRole('button', { name: 'Save configuration' }).click();
  await expect(config.getByRole('alert')).toHaveText('The lockout threshold must be from 1 to 100 wrong passwords.');
  await lia.reload();
  await expect(config.getByLabel('Lockout threshold')).toHaveValue('10');
  await config.getByLabel('Lockout threshold').fill('3');
  await config.getByRole('button', { name: 'Save configuration' }).click();
  await expect(config.getByRole('status')).toHaveText('Configuration saved.');
  await lia.reload();
  await expect(config.getByLabel('Lockout threshold')).toHaveValue('3');

  // Bob joins and sets a security question (ACC-5).
  await lia.getByRole('link', { name: 'Users' }).click();
  await lia.getByRole('button', { name: 'Add user' }).click();
  const add = lia.getByRole('form', { name: 'Add user' });
  await add.getByLabel('Email').fill('bob@acme.test');
  await add.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(lia.getByRole('status')).toContainText('bob@acme.test was added');
  const bobInvite = await latestLink(root, 'You are invited to Acme on Coffer', /\/invite#/);
  const bob = await (await newPerson(browser, testInfo)).newPage();
  const bobProblems = watchForProblems(bob);
  await acceptInvitationAndSignIn(bob, bobInvite, 'bob@acme.test', BOB_PW);
  await bob.getByRole('link', { name: 'My account' }).click();
  const sq = bob.getByRole('form', { name: 'Security question' });
  await sq.getByLabel('Question').fill('Name of my first dog?');
  await sq.getByLabel('Answer').fill('ab');
  await sq.getByRole('button', { name: 'Save security question' }).click();
  await expect(sq.getByRole('alert')).toHaveText('The answer must be at least 3 characters.');
  await expect(bob.getByTestId('security-question')).toHaveText('No security question is set.');
  await sq.getByLabel('Answer').fill('Rex the Second');
  await sq.getByRole('button', { name: 'Save security question' }).click();
  await expect(sq.getByRole('status')).toHaveText('Security question saved.');
  await expect(bob.getByTestId('security-question')).toHaveText('Your question: Name of my first dog?');
  await bob.getByRole('button', { name: 'Sign out' }).click();

  // ACC-6: three wrong passwords lock Bob; then even the right one fails.
  await failSignIn(bob, 'bob@acme.test', 3);
  await signIn(bob, 'bob@acme.test', BOB_PW);
  await expect(bob.getByRole('alert')).toHaveText('The email, user name or password is incorrect.');

  // The administrator sees the lock, unlocks, and the history records both.
  await lia.reload();
  const bobRow = lia.getByRole('row').filter({ hasText: 'bob@acme.test' });
  await expect(bobRow.getByRole('cell', { name: /^(Status: )?Locked$/ })).toBeVisible();
  await bobRow.getByRole('button', { name: 'Edit bob@acme.test' }).click();
  const security = lia.getByRole('region', { name: 'Account security of bob@acme.test' });
  await expect(security.getByText('Status: Locked')).toBeVisible();
  await security.getByRole('button', { name: 'Unlock' }).click();
  await expect(security.getByRole('status')).toHaveText('bob@acme.test is unlocked.');
  await expect(bobRow.getByRole('cell', { name: /^(Status: )?Active$/ })).toBeVisible();
  await lia.getByText('History', { exact: true }).click();
  const history = lia.locator('.history-list');
  await expect(history).toContainText('account.locked');
  await expect(history).toContainText('account.unlocked');
  await expect(history.locator('li').first()).toContainText('lia@acme.test');
  await expect(history.locator('li').first()).toContainText('account.unlocked');
  await signIn(bob, 'bob@acme.test', BOB_PW);
  await expect(bob.getByRole('link', { name: 'My account' })).toBeVisible();
  await bob.getByRole('link', { name: 'My account' }).click();
  await bob.getByRole('button', { name: 'Sign out' }).click();

  // Locked again, Bob unlocks himself from the emailed link.
  await failSignIn(bob, 'bob@acme.test', 3);
  const unlockLink = await latestLink(root, 'Your Coffer account is locked', /\/unlock#/);
  await bob.goto(unlockLink);
  await bob.getByRole('button', { name: 'Unlock my account' }).click();
  await expect(bob.getByRole('status')).toHaveText('bob@acme.test is unlocked. You can sign in again.');
  await bob.goto('about:blank');
  await bob.goto(unlockLink);
  await bob.getByRole('button', { name: 'Unlock my account' }).click();
  await expect(bob.getByRole('alert')).toHaveText('This link has already been used.');

  // ACC-7: nobody resets their own password here; Bob's reset warns first.
  await lia.reload();
  await lia.getByRole('button', { name: 'Edit lia@acme.test' }).click();
  await expect(lia.getByRole('region', { name: 'Account security of lia@acme.test' }).getByRole('button', { name: 'Reset password' })).toBeDisabled();
  await expect(lia.getByRole('region', { name: 'Remove lia@acme.test' }).getByRole('button', { name: 'Remove member' })).toBeDisabled();
  await lia.getByRole('button', { name: 'Close' }).click();
  await lia.getByRole('button', { name: 'Edit bob@acme.test' }).click();
  const bobSecurity = lia.getByRole('region', { name: 'Account security of bob@acme.test' });
  await bobSecurity.getByRole('button', { name: 'Reset password' }).click();
  await expect(bobSecurity.getByText(/becomes unreadable to them/)).toBeVisible();
  await bobSecurity.getByRole('button', { name: 'Send reset link' }).click();
  await expect(bobSecurity.getByRole('status')).toHaveText('A password reset link was emailed to bob@acme.test.');

  const resetLink = await latestLink(root, 'Reset your Coffer password', /\/reset#/);
  await bob.goto(resetLink);
  await expect(bob.getByText(/will no longer open/)).toBeVisible();
  await bob.getByLabel('Name of my first dog?').fill('Fido');
  await bob.getByLabel('New password', { exact: true }).fill(NEW_PW);
  await bob.getByLabel('Confirm new password').fill(NEW_PW);
  await bob.getByRole('button', { name: 'Set new password' }).click();
  await expect(bob.getByRole('alert')).toHaveText('The answer to the security question is not right. Answers are not case sensitive.');
  await bob.getByLabel('Name of my first dog?').fill('  rex THE second ');
  await bob.getByRole('button', { name: 'Set new password' }).click();
  await expect(bob.getByRole('status')).toHaveText('Your password is set. Sign in to continue.');
  await signIn(bob, 'bob@acme.test', BOB_PW);
  await expect(bob.getByRole('alert')).toHaveText('The email, user name or password is incorrect.');
  await signIn(bob, 'bob@acme.test', NEW_PW);
  await expect(bob.getByRole('link', { name: 'My account' })).toBeVisible();
  await bob.goto(resetLink);
  await expect(bob.getByRole('alert')).toHaveText('This link has already been used.');

  expect(problems).toEqual([]);
  expect(bobProblems).toEqual([]);
});
