// CRY-4 rotation benchmark (docs/PERFORMANCE.md): a box of 1,000 files
// (its direct children) shared with 50 people; Lia removes one of them from
// the box's Share panel, and the time is taken from her click until the
// page says the box has a new key. That is the removal, the plan, the
// worker's work (a new identity, 1,000 children wrapped and sealed again,
// 49 permits wrapped and signed again) and the one call that swaps it in.
// Ann, the one removed, is a real member with her keys; the other 49 are
// copies of her account with key pairs of their own made by Debian's
// `age-keygen` and permits like hers (what the rotation does for each
// depends only on their public key). Run by scripts/bench-files.sh
// (COFFER_BENCH_CHILDREN and COFFER_BENCH_PEOPLE change the counts).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test } = require('../tests/fixtures');
const { liaInABenchBox } = require('./plain-chromium');
const { ADMIN_PW, addMemberAndSignIn } = require('../tests/steps');

const CHILDREN = Number(process.env.COFFER_BENCH_CHILDREN || 1_000);
const PEOPLE = Number(process.env.COFFER_BENCH_PEOPLE || 50);

/// Copies of Ann (account, membership, permit on the box) under other
/// addresses, each with a public key of its own.
const CLONE = `
import sqlite3, sys, uuid
db, keys = sys.argv[1], sys.argv[2:]
c = sqlite3.connect(db)
c.row_factory = sqlite3.Row
ann = c.execute("SELECT * FROM accounts WHERE email = 'ann@acme.test'").fetchone()
def copy(table, row, change):
    values = {k: row[k] for k in row.keys()}
    for k, v in values.items():
        if isinstance(v, str) and 'ann@acme.test' in v:
            values[k] = v.replace('ann@acme.test', change['email'])
    values.update({k: v for k, v in change.items() if k in values})
    cols = ','.join(values)
    c.execute(f"INSERT INTO {table} ({cols}) VALUES ({','.join('?' * len(values))})", list(values.values()))
for n, key in enumerate(keys):
    email = f'person{n:02}@acme.test'
    new = str(uuid.uuid4())
    copy('accounts', ann, {'email': email, 'id': new, 'public_key': key, 'username': None})
    for m in c.execute("SELECT * FROM memberships WHERE account_id = ?", (ann['id'],)).fetchall():
        copy('memberships', m, {'email': email, 'account_id': new})
    for p in c.execute("SELECT * FROM permits WHERE account_id = ? AND owner = 0", (ann['id'],)).fetchall():
        copy('permits', p, {'email': email, 'account_id': new})
c.commit()
`;

function ageKeys(count) {
  return Array.from({ length: count }, () => {
    const out = execFileSync('age-keygen', { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    return out.match(/public key: (age1[0-9a-z]+)/)[1];
  });
}

test('rotation: one of 50 people removed from a box of 1,000 files', async ({ page: root, coffer, browser }, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'one profile: the figures are the machine\'s, not the viewport\'s');
  test.setTimeout(1_800_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-bench-'));
  const name = (i) => `file-${String(i).padStart(4, '0')}.txt`;
  for (let i = 0; i < CHILDREN; i += 1) fs.writeFileSync(path.join(dir, name(i)), `file ${i}\n`);
  const before = async (lia) => {
    const ann = await addMemberAndSignIn(lia, root, browser, testInfo, 'ann@acme.test', ADMIN_PW);
    await ann.context().close();
  };
  const { plain } = await liaInABenchBox(root, coffer, browser, testInfo, { before });
  try {
    await plain.choose('Upload files', fs.readdirSync(dir).map((f) => path.join(dir, f)));
    await plain.until(
      (n) => document.querySelector('.upload-summary')?.textContent === `${n} of ${n} uploaded`,
      CHILDREN,
      { timeout: 1_700_000, every: 1000 },
    );
    await plain.until(() => document.querySelector('.share-panel form') !== null);
    await plain.fill('Email address', 'ann@acme.test');
    await plain.evaluate(() => document.querySelector('.share-panel form button[type=submit]').click());
    await plain.shows('[role=status]', 'Shared with ann@acme.test.', { every: 5 });

    // 49 more people like Ann.
    execFileSync('python3', ['-c', CLONE, path.join(coffer.dataDir, 'coffer.db'), ...ageKeys(PEOPLE - 1)]);
    await plain.reload();
    await plain.until(
      (n) => document.querySelectorAll('table.access tbody tr').length === n + 1,
      PEOPLE,
      { timeout: 60_000 },
    );

    const mark = await plain.evaluate(() => performance.getEntriesByType('resource').length);
    const start = Date.now();
    await plain.click('Remove access of ann@acme.test');
    await plain.until(
      () => [...document.querySelectorAll('[role=status]')].some((s) => s.textContent.includes('The item has a new key')),
      undefined,
      { timeout: 600_000, every: 5 },
    );
    const took = Date.now() - start;
    const calls = await plain.evaluate((from) => performance.getEntriesByType('resource').slice(from)
      .map((e) => new URL(e.name).pathname).filter((p) => p.startsWith('/api/')), mark);
    const db = path.join(coffer.dataDir, 'coffer.db');
    const count = (sql) => execFileSync('python3', ['-c', 'import sqlite3,sys;print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])', db, sql]).toString().trim();
    const due = count('SELECT COUNT(*) FROM rotations_due');
    const renewed = count("SELECT json_extract(details, '$.children') || ' children, ' || json_extract(details, '$.permits') || ' permits' FROM audit_events WHERE action = 'share.key_renewed'");
    if (due !== '0' || !renewed) throw new Error(`the rotation did not land: due ${due}, renewed ${renewed}`);
    console.log(
      `rotation: one of ${PEOPLE} people removed from a box of ${CHILDREN} files; new key in ${(took / 1000).toFixed(2)} s ` +
      `(target 2 s), click to notice, with ${calls.length} requests (${calls.join(', ')}); renewed ${renewed}`,
    );
  } finally {
    await plain.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
