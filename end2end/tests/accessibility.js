// PLT-6: axe-core checks every page the browser tests visit, against WCAG
// 2.1 A and AA. It is injected into every page of every browser context a
// test opens; each time a page settles (its document loaded, or its
// content unchanged for a moment after a route change or an update), axe
// runs in the page and reports what it found to the test, which fails at
// its end if anything was. The in-page runner is plain script evaluated by
// the browser before the page's own (so the strict CSP does not apply).
const fs = require('node:fs');

const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// WCAG 2.1 A and AA. `region` and other best practices are not WCAG.
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const runner = `(() => {
  if (!/^https?:$/.test(location.protocol) || window.top !== window) return;
  // A scan waits for the page to be still for a moment, but never longer
  // than MAX_WAIT after the first change, so pages a test passes through
  // quickly are scanned too.
  const QUIET = 150, MAX_WAIT = 500;
  let timer = null, first = 0, running = null, again = false;
  const scan = async () => {
    if (running) { again = true; return running; }
    running = scanNow();
    return running;
  };
  const scanNow = async () => {
    try {
      // A PDF preview's frame holds the browser's own PDF viewer, not a page
      // of ours, and never answers axe's frame messages: it is left out.
      const result = await axe.run({ exclude: ['iframe.preview-frame'] }, { runOnly: { type: 'tag', values: ${JSON.stringify(TAGS)} }, resultTypes: ['violations'] });
      const found = result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html.slice(0, 200), summary: n.failureSummary })),
      }));
      await window.__cofferAxeReport({ url: location.pathname + location.search, found });
    } catch (e) {
      await window.__cofferAxeReport({ url: location.pathname, error: String(e) });
    } finally {
      running = null;
      if (again) { again = false; settle(); }
    }
  };
  const settle = () => {
    const now = Date.now();
    if (!timer) first = now;
    clearTimeout(timer);
    timer = setTimeout(() => { timer = null; scan(); }, Math.max(0, Math.min(QUIET, first + MAX_WAIT - now)));
  };
  window.__cofferAxeScan = scan;
  const start = () => {
    settle();
    new MutationObserver(settle).observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();`;

/// Starts checking every page of `context`; findings go into `findings`.
async function checkAccessibility(context, findings) {
  await context.exposeBinding('__cofferAxeReport', (_source, report) => {
    if (report.error) findings.errors.push(`${report.url}: ${report.error}`);
    for (const v of report.found || []) {
      for (const n of v.nodes) {
        const key = `${v.id} ${n.target}`;
        if (!findings.seen.has(key)) {
          findings.seen.add(key);
          findings.violations.push(`${report.url}: ${v.id} (${v.impact}): ${v.help}\n    at ${n.target}\n    ${n.html}\n    ${(n.summary || '').replace(/\n/g, '\n    ')}`);
        }
      }
    }
    findings.scans += 1;
    scannedPaths.add(`${findings.project} ${report.url.split('?')[0]}`);
  });
  const watch = (page) => page.on('framenavigated', (frame) => {
    if (frame !== page.mainFrame() || !/^https?:/.test(frame.url())) return;
    const url = new URL(frame.url());
    if (!findings.visited.has(url.pathname)) findings.visited.set(url.pathname, { url: url.href, context });
  });
  context.pages().forEach(watch);
  context.on('page', watch);
  await context.addInitScript({ content: `${axeSource}\n${runner}` });
  findings.contexts.push(context);
}

/// Paths scanned in this test run, per project (desktop and phone lay
/// pages out differently): a page the tests pass through too quickly for a
/// scan is opened again at the end of the test, unless an earlier test
/// already had it scanned.
const scannedPaths = new Set();

/// Scans every page of `context` still open as it is now, then opens again
/// each path it visited that no scan has seen yet and scans it settled.
async function finishContext(context, findings) {
  for (const page of context.pages()) {
    if (page.isClosed()) continue;
    await page.evaluate(() => window.__cofferAxeScan && window.__cofferAxeScan()).catch(() => {});
  }
  for (const [path, { url, context: where }] of findings.visited) {
    if (where !== context || scannedPaths.has(`${findings.project} ${path}`)) continue;
    const page = await context.newPage().catch(() => null);
    if (!page) return;
    try {
      await page.goto(url, { waitUntil: 'networkidle', timeout: 15_000 });
      await page.evaluate(() => window.__cofferAxeScan());
      findings.revisited += 1;
      scannedPaths.add(`${findings.project} ${path}`);
    } catch (e) {
      findings.unreachable.push(`${path}: ${e.message.split('\n')[0]}`);
    } finally {
      await page.close().catch(() => {});
    }
  }
}

/// Finishes every context still open, then fails if anything was found.
async function assertAccessible(findings) {
  for (const context of findings.contexts) await finishContext(context, findings);
  if (process.env.COFFER_A11Y_REPORT) {
    const missed = [...findings.visited.keys()].filter((p) => !scannedPaths.has(`${findings.project} ${p}`));
    console.log(`axe: ${findings.scans} scans, ${findings.revisited} pages opened again; not scanned: ${missed.join(' ') || 'none'} ${findings.unreachable.join('; ')}`);
  }
  if (findings.violations.length || findings.errors.length) {
    throw new Error(`Accessibility (WCAG 2.1 AA, axe-core) failed after ${findings.scans} scans:\n` +
      [...findings.violations, ...findings.errors].join('\n'));
  }
}

function newFindings(project) {
  return { project, violations: [], errors: [], seen: new Set(), scans: 0, revisited: 0, contexts: [], visited: new Map(), unreachable: [] };
}

module.exports = { checkAccessibility, assertAccessible, newFindings, finishContext };
