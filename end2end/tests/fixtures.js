// A fresh Coffer per test: its own data folder (SQLite, outbox) and port.
const { test: base, expect } = require('@playwright/test');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { checkAccessibility, assertAccessible, newFindings, finishContext } = require('./accessibility');

const personFindings = new Map();

const repo = path.resolve(__dirname, '..', '..');
const bin = process.env.COFFER_BIN || path.join(repo, 'target', 'release', 'coffer');
const site = process.env.COFFER_SITE_DIR || path.join(repo, 'dist');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

exports.test = base.extend({
  // PLT-6: what axe found on any page of any context this test opened
  // (its own and every newPerson's); the test fails at its end if anything.
  // Off only for benchmarks, whose timings the scans would disturb.
  a11y: [true, { option: true }],
  accessibility: [async ({ coffer, a11y }, use, testInfo) => {
    if (!a11y) return use(null);
    const findings = newFindings(testInfo.project.name);
    personFindings.set(testInfo.testId, findings);
    await use(findings);
    personFindings.delete(testInfo.testId);
    await assertAccessible(findings);
  }, { auto: true }],
  context: async ({ context, accessibility }, use) => {
    if (accessibility) await checkAccessibility(context, accessibility);
    await use(context);
    // Before Playwright closes it: the pages as the test left them, and
    // those it passed through too quickly.
    if (accessibility) await finishContext(context, accessibility);
  },
  // Extra COFFER_* settings for the server, e.g. test.use({ cofferEnv: { COFFER_REAUTHENTICATION_SECONDS: '2' } }).
  cofferEnv: [{}, { option: true }],
  coffer: async ({ cofferEnv }, use, testInfo) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-e2e-'));
    const port = await freePort();
    const log = [];
    const proc = spawn(bin, ['serve', '--bind', `127.0.0.1:${port}`, '--data-dir', dataDir, '--site-dir', site], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // The rate limits have their own integration test; here one browser
      // signs in many times from one address.
      env: {
        ...process.env,
        COFFER_LOG: 'info',
        COFFER_RATE_LIMIT_PER_ADDRESS: '100000',
        COFFER_RATE_LIMIT_PER_IDENTIFIER: '100000',
        ...cofferEnv,
      },
    });
    // ACC-1: a fresh instance prints its one-time setup code beside the URL.
    const { url, setupCode } = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`coffer did not start:\n${log.join('')}`)), 30_000);
      proc.stdout.on('data', (d) => {
        log.push(d.toString());
        const text = log.join('');
        const m = /Coffer is running at (\S+)/.exec(text);
        const code = /Setup code: (\S+)/.exec(text);
        if (m && code) { clearTimeout(timer); resolve({ url: m[1], setupCode: code[1] }); }
      });
      proc.stderr.on('data', (d) => log.push(d.toString()));
      proc.on('exit', (code) => reject(new Error(`coffer exited with ${code}:\n${log.join('')}`)));
    });
    await use({ url, dataDir, setupCode, pid: proc.pid });
    proc.kill('SIGTERM');
    if (testInfo.status !== testInfo.expectedStatus) {
      await testInfo.attach('coffer-server.log', { body: log.join(''), contentType: 'text/plain' });
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  },
});

exports.expect = expect;

/// Fails the test on uncaught page errors and Content-Security-Policy
/// violations (refused responses are expected and not counted).
exports.watchForProblems = (page) => {
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to|panicked/.test(m.text())) problems.push(m.text());
  });
  return problems;
};

/// A second person: a new browser context shaped like the test's own.
/// Their pages are checked for accessibility like the test's own.
exports.newPerson = async (browser, testInfo) => {
  const use = testInfo.project.use;
  const context = await browser.newContext({
    viewport: use.viewport, isMobile: use.isMobile, hasTouch: use.hasTouch,
    userAgent: use.userAgent, deviceScaleFactor: use.deviceScaleFactor,
  });
  const findings = personFindings.get(testInfo.testId);
  if (findings) await checkAccessibility(context, findings);
  return context;
};
