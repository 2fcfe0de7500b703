// BOX-1, BOX-6 for a member of several organisations: the Boxes page asks
// whose boxes to show, each organisation's boxes stay in it (on the server
// too), the folders of a box in the second one open, and the choice holds
// across a reload and shows on My account's storage.
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { test, expect, newPerson, watchForProblems } = require('./fixtures');
const { ADMIN_PW: PW, setUpInstance, createOrganisation, acceptInvitationAndSignIn } = require('./steps');

/// Boxes per organisation name, read from the server's database.
function boxesByOrganisation(dataDir) {
  const script = 'import json,sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\n'
    + 'print(json.dumps(dict(c.execute("SELECT o.name, COUNT(n.id) FROM organisations o '
    + 'LEFT JOIN nodes n ON n.organisation_id = o.id AND n.parent_id IS NULL GROUP BY o.name").fetchall())))';
  return JSON.parse(execFileSync('python3', ['-c', script, path.join(dataDir, 'coffer.db')]).toString());
}

test('BOX-1: a member of two organisations works in each one’s boxes', async ({ page: root, coffer, browser }, testInfo) => {
  test.setTimeout(120_000);
  await setUpInstance(root, coffer);
  const invitation = await createOrganisation(root, 'Acme', 10, 'lia@acme.test');
  await root.getByRole('link', { name: 'Organisations' }).first().click();
  await createOrganisation(root, 'Beta', 5, 'lia@acme.test');

  const lia = await (await newPerson(browser, testInfo)).newPage();
  const problems = watchForProblems(lia);
  await acceptInvitationAndSignIn(lia, invitation, 'lia@acme.test', PW);
  await lia.getByRole('link', { name: 'Boxes' }).click();
  const choice = lia.getByLabel('Organisation', { exact: true });
  await expect(choice).toHaveValue(/.+/);
  await expect(choice.locator('option')).toHaveText(['Acme', 'Beta']);
  await choice.selectOption({ label: 'Acme' });
  await lia.getByLabel('New box').fill('Acme plans');
  await lia.getByRole('button', { name: 'Create box' }).click();
  await expect(lia.getByRole('link', { name: 'Acme plans' })).toBeVisible();

  // Beta has boxes of its own: none yet.
  await choice.selectOption({ label: 'Beta' });
  await expect(lia.getByText('You have no boxes yet.')).toBeVisible();
  await expect(lia.getByRole('link', { name: 'Acme plans' })).toHaveCount(0);
  await lia.getByLabel('New box').fill('Beta plans');
  await lia.getByRole('button', { name: 'Create box' }).click();
  await lia.getByRole('link', { name: 'Beta plans' }).click();
  await expect(lia.getByRole('heading', { name: 'Beta plans' })).toBeVisible();
  await lia.getByLabel('New folder').fill('Beta drafts');
  await lia.getByRole('button', { name: 'Create folder' }).click();
  await expect(lia.getByRole('link', { name: 'Beta drafts' })).toBeVisible();

  // The choice holds: back on Boxes, and after a reload.
  await lia.getByRole('navigation', { name: 'Where you are' }).getByRole('link', { name: 'Boxes' }).click();
  await expect(lia.getByRole('link', { name: 'Beta plans' })).toBeVisible();
  await lia.reload();
  await expect(lia.getByLabel('Organisation', { exact: true }).locator('option:checked')).toHaveText('Beta');
  await expect(lia.getByRole('link', { name: 'Beta plans' })).toBeVisible();
  await expect(lia.getByRole('link', { name: 'Acme plans' })).toHaveCount(0);

  // My account's storage is the chosen organisation's.
  await lia.getByRole('link', { name: 'My account' }).click();
  await expect(lia.getByRole('heading', { name: 'Storage in Beta' })).toBeVisible();

  await lia.getByRole('link', { name: 'Boxes' }).click();
  await lia.getByLabel('Organisation', { exact: true }).selectOption({ label: 'Acme' });
  await expect(lia.getByRole('link', { name: 'Acme plans' })).toBeVisible();
  await expect(lia.getByRole('link', { name: 'Beta plans' })).toHaveCount(0);

  expect(boxesByOrganisation(coffer.dataDir)).toEqual({ Acme: 1, Beta: 1 });
  expect(problems).toEqual([]);
});
