// The first-load benchmark (not part of the test suite): cold loads of the
// sign-in page on the desktop and Pixel 7 profiles, with the figures
// printed. Run by scripts/bench-first-load.sh.
const base = require('./playwright.config');

module.exports = {
  ...base,
  testDir: './bench',
  timeout: 300_000,
  reporter: [['list']],
  // axe's scans (tests/accessibility.js) would disturb the timings, and
  // a trace copies every request body (each part) to Playwright.
  use: { ...base.use, a11y: false, trace: 'off' },
};
