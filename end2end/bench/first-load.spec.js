// First load, cold (a fresh browser context per run): bytes on the wire
// and time until the sign-in form is drawn (the app's code then runs and
// handles it), from the start of navigation; then the bytes of the whole
// sign-in, the crypto worker included. RUNS runs per profile; prints the
// median and the slowest.
const { test, expect, newPerson } = require('../tests/fixtures');
const { ADMIN, ADMIN_PW, setUpInstance, signIn } = require('../tests/steps');
const { countBytes, markFormDrawn } = require('../tests/first-load');

const RUNS = Number(process.env.COFFER_BENCH_RUNS || 9);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (n) => (n / 1024).toFixed(1);

test('first load of the sign-in page', async ({ page, coffer, browser }, testInfo) => {
  await setUpInstance(page, coffer);
  const times = [];
  const before = [];
  const whole = [];
  for (let run = 0; run < RUNS; run += 1) {
    const context = await newPerson(browser, testInfo);
    await context.addInitScript(markFormDrawn);
    const visitor = await context.newPage();
    const snapshot = countBytes(context);
    await visitor.goto(`${coffer.url}/sign-in`);
    await expect(visitor.getByLabel('Email or user name')).toBeEditable();
    const { formAt, origin } = await visitor.evaluate(() => ({ formAt: window.cofferFormAt, origin: performance.timeOrigin }));
    times.push(formAt - origin);
    before.push((await snapshot(formAt)).total);
    const appRequested = visitor.waitForRequest((r) => new URL(r.url()).pathname === '/organisations');
    await signIn(visitor, ADMIN, ADMIN_PW);
    await appRequested;
    whole.push((await snapshot()).total);
    await context.close();
  }
  console.log(
    `first-load/${testInfo.project.name}: ${RUNS} cold loads: sign-in form drawn after median ${median(times).toFixed(0)} ms ` +
    `(slowest ${Math.max(...times).toFixed(0)} ms); ${kb(median(before))} KB on the wire before it; ` +
    `the whole sign-in ${kb(median(whole))} KB`,
  );
});
