// ACC-1 setup, ORG organisation creation with AUD-2 outbox, ACC-3/ACC-4
// invitation, ACC-2 sign-in with key unlock, ACC-8 sessions, sign-out.
const { test, expect, newPerson, watchForProblems } = require('./fixtures');
const { ADMIN, ADMIN_PW, signIn, setUpInstance } = require('./steps');

const MEMBER = 'ann@acme.test';
const MEMBER_PW = 'ann keeps secrets well';
const FINGERPRINT = /^([0-9A-F]{4} ){9}[0-9A-F]{4}$/;

test('ACC-1 ACC-2 ACC-3 ACC-8: setup, organisation, invitation, sign-in, sessions', async ({ page, coffer, browser }, testInfo) => {
  const problems = watchForProblems(page);
  // ACC-1: a new instance opens on the setup page.
  await page.goto(coffer.url);
  await expect(page.getByRole('heading', { name: 'Set up Coffer' })).toBeVisible();
  // Without the code the server printed, nobody can claim the instance.
  await page.getByLabel('Setup code').fill('AAAA-BBBB-CCCC');
  await page.getByLabel('Email').fill(ADMIN);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN_PW);
  await page.getByLabel('Confirm password').fill(ADMIN_PW);
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await expect(page.getByRole('alert')).toHaveText("The setup code is not right. Coffer prints it in the server's console and log when it starts.");
  await page.getByLabel('Setup code').fill(coffer.setupCode.toLowerCase());
  await page.getByLabel('Email').fill(ADMIN);
  await page.getByLabel('Password', { exact: true }).fill('short');
  await page.getByLabel('Confirm password').fill('short');
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await expect(page.getByRole('alert')).toHaveText('The password must be at least 8 characters long.');
  await page.getByLabel('Password', { exact: true }).fill(ADMIN_PW);
  await expect(page.getByText(/Strength: (Strong|Very strong)/)).toBeVisible();
  await page.getByLabel('Confirm password').fill(ADMIN_PW + 'x');
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await expect(page.getByRole('alert')).toHaveText('The two passwords do not match.');
  await page.getByLabel('Confirm password').fill(ADMIN_PW);
  await page.getByRole('button', { name: 'Create administrator' }).click();

  // The administrator lands on Organisations and creates one.
  await expect(page.getByRole('heading', { name: 'Organisations' })).toBeVisible();
  await page.getByRole('button', { name: 'New organisation' }).click();
  await page.getByLabel('Name').fill('Acme');
  await page.getByLabel('Licence seats').fill('25');
  await page.getByLabel('Expiry date').fill('2099-12-31');
  await page.getByLabel('Administrator email').fill('not an email');
  await page.getByRole('button', { name: 'Create organisation' }).click();
  await expect(page.getByRole('alert')).toHaveText('Enter a valid email address, like name@example.com.');
  await page.getByLabel('Administrator email').fill(MEMBER);
  await page.getByRole('button', { name: 'Create organisation' }).click();
  await expect(page.getByRole('status')).toContainText('Acme was created');
  await expect(page.getByRole('cell', { name: 'Acme', exact: true })).toBeVisible();
  await expect(page.getByRole('cell', { name: '1 of 25' })).toBeVisible();

  // AUD-2: the invitation is in the outbox.
  await page.getByRole('main').getByRole('link', { name: 'Outbox' }).click();
  await page.getByRole('link', { name: 'You are invited to Acme on Coffer' }).click();
  await expect(page.getByText(`To ${MEMBER}`)).toBeVisible();
  const link = page.getByRole('link', { name: /\/invite#/ });
  const invitation = await link.getAttribute('href');
  expect(invitation).toContain(`${coffer.url}/invite#`);

  // ACC-3 / ACC-4: the member opens the link in their own browser.
  const ann = await (await newPerson(browser, testInfo)).newPage();
  const annProblems = watchForProblems(ann);
  await ann.goto(invitation);
  await expect(ann.getByText(`You are invited to Acme.`)).toBeVisible();
  await ann.getByLabel('Password', { exact: true }).fill(MEMBER_PW);
  await ann.getByLabel('Confirm password').fill('something else');
  await ann.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(ann.getByRole('alert')).toHaveText('The two passwords do not match.');
  await ann.getByLabel('Confirm password').fill(MEMBER_PW);
  await ann.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(ann.getByRole('status')).toHaveText('Your password is set. Sign in to continue.');
  await expect(ann.getByLabel('Email or user name')).toHaveValue(MEMBER);

  // The used link is refused with a clear message.
  const again = await (await newPerson(browser, testInfo)).newPage();
  await again.goto(invitation);
  await expect(again.getByRole('alert')).toHaveText('This invitation has already been used. Sign in with the password you chose.');

  // ACC-2: wrong password and unknown account get the same words. The
  // password is stretched and the keys unwrapped in the crypto worker, not
  // on the page's thread (whose code carries no cryptography).
  const workerPath = (w) => new URL(w.url()).pathname;
  const workers = ann.workers().map(workerPath);
  ann.on('worker', (w) => workers.push(workerPath(w)));
  await signIn(ann, MEMBER, 'not the password');
  await expect(ann.getByRole('alert')).toHaveText('The email, user name or password is incorrect.');
  await signIn(ann, 'nobody@acme.test', MEMBER_PW);
  await expect(ann.getByRole('alert')).toHaveText('The email, user name or password is incorrect.');
  await signIn(ann, MEMBER, MEMBER_PW);
  await expect(ann.getByRole('heading', { name: 'My account' })).toBeVisible();
  expect(workers).toContain('/coffer-worker_loader.js');
  await expect(ann.getByText('Key fingerprint')).toBeVisible();
  const fingerprint = ann.getByTestId('fingerprint');
  await expect(fingerprint).toHaveText(FINGERPRINT);
  const first = await fingerprint.textContent();

  // A reload keeps the keys unlocked in this tab.
  await ann.reload();
  await expect(ann.getByTestId('fingerprint')).toHaveText(first);

  // Sign out, sign in again: same keys.
  await ann.getByRole('button', { name: 'Sign out' }).click();
  await expect(ann.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await ann.goto(`${coffer.url}/account`);
  await expect(ann.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await signIn(ann, MEMBER, MEMBER_PW);
  await expect(ann.getByTestId('fingerprint')).toHaveText(first);

  // ACC-8: two sessions listed; terminating all signs this one out too.
  const phone = await (await newPerson(browser, testInfo)).newPage();
  await phone.goto(`${coffer.url}/sign-in`);
  await signIn(phone, MEMBER, MEMBER_PW);
  await expect(phone.getByTestId('fingerprint')).toHaveText(first);
  await ann.reload();
  await expect(ann.getByText('(this session)')).toBeVisible();
  await expect(ann.getByRole('row')).toHaveCount(testInfo.project.name === 'phone' ? 2 : 3);
  await ann.getByRole('button', { name: 'Terminate all sessions' }).click();
  await expect(ann.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await phone.reload();
  await expect(phone.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  expect([...problems, ...annProblems]).toEqual([]);
});

test('ACC-5: change password keeps the key fingerprint', async ({ page, coffer }) => {
  await setUpInstance(page, coffer);
  await page.getByRole('link', { name: 'My account' }).click();
  const fingerprint = await page.getByTestId('fingerprint').textContent();
  expect(fingerprint).toMatch(FINGERPRINT);

  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByLabel('Current password').fill('wrong current password');
  await page.getByLabel('New password', { exact: true }).fill('a brand new passphrase');
  await page.getByLabel('Confirm new password').fill('a brand new passphrase');
  await page.getByRole('button', { name: 'Save new password' }).click();
  await expect(page.getByRole('alert')).toHaveText('The current password is incorrect.');
  await page.getByLabel('Current password').fill(ADMIN_PW);
  await page.getByRole('button', { name: 'Save new password' }).click();
  await expect(page.getByRole('status')).toContainText('Your password was changed.');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, ADMIN, ADMIN_PW);
  await expect(page.getByRole('alert')).toHaveText('The email, user name or password is incorrect.');
  await signIn(page, ADMIN, 'a brand new passphrase');
  await expect(page.getByRole('heading', { name: 'Organisations' })).toBeVisible();
  await page.getByRole('link', { name: 'My account' }).click();
  await expect(page.getByTestId('fingerprint')).toHaveText(fingerprint);
});
