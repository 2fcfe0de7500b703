// PLT-4 first load: what a visitor downloads, cold, before the sign-in form
// can be used, and for the whole of signing in (the crypto worker
// included). Byte counts are the compressed sizes on the wire, from the
// browser's own network log (Playwright's request sizes). Times are in
// bench/first-load.spec.js, which prints them.
const { test, expect, newPerson } = require('./fixtures');
const { ADMIN, ADMIN_PW, setUpInstance, signIn } = require('./steps');
const { countBytes, markFormDrawn } = require('./first-load');

test('PLT-4: the sign-in form is usable after under 400 KB, and signing in takes under 1 MB', async ({ page, coffer, browser }, testInfo) => {
  await setUpInstance(page, coffer);

  const context = await newPerson(browser, testInfo);
  await context.addInitScript(markFormDrawn);
  const visitor = await context.newPage();
  const snapshot = countBytes(context);
  await visitor.goto(`${coffer.url}/sign-in`);
  await expect(visitor.getByLabel('Email or user name')).toBeEditable();
  await expect(visitor.getByRole('button', { name: 'Sign in', exact: true })).toBeEnabled();
  // What was asked for before the form was drawn; the crypto worker is
  // fetched once it is.
  const formAt = await visitor.evaluate(() => window.cofferFormAt);
  let bytes = await snapshot(formAt);
  const beforeForm = bytes.total;
  expect(beforeForm).toBeGreaterThan(50_000); // the counter sees the app's wasm
  expect(beforeForm).toBeLessThan(400 * 1024);
  // The page that draws the form is the front door, compressed; the
  // cryptography comes later, with the worker.
  expect(bytes.urls.some((u) => /coffer-worker/.test(u))).toBe(false);
  // Trunk writes the content hash without leading zeros: 16 hex digits or fewer.
  expect(bytes.urls.some((u) => /\/front\/coffer-front-[0-9a-f]{1,16}_bg\.wasm$/.test(u))).toBe(true);
  expect(bytes.urls.some((u) => /\/coffer-app-/.test(u))).toBe(false);

  // Signing in: the front door, the crypto worker, the protocol messages,
  // until the full app is asked for.
  const appRequested = visitor.waitForRequest((r) => new URL(r.url()).pathname === '/organisations');
  await signIn(visitor, ADMIN, ADMIN_PW);
  await appRequested;
  bytes = await snapshot();
  const signedIn = bytes.total;
  expect(bytes.urls.some((u) => u.endsWith('/coffer-worker_bg.wasm'))).toBe(true);
  expect(signedIn).toBeLessThan(1024 * 1024);
  // Then the full app, for the page after signing in.
  await expect(visitor.getByRole('heading', { name: 'Organisations' })).toBeVisible();
  await context.close();
});
