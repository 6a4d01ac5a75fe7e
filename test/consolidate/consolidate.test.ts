import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { consolidate, subjectId } from '../../src/consolidate/index.js';
import type { Review } from '../../src/model.js';
import { findingWith, groupsOf, readRepoFile, reviewFrom, seedReviews } from './helpers.js';

const S002 = '002_e013982055bbec08.txt';
const S003 = '003_b765430dcf81c5cc.txt';

/** Every pair of sources merged into one finding, as `a|b` with a < b. */
function mergedPairs(reviews: Review[], scope: 'subject' | 'all' = 'subject'): Set<string> {
  const out = new Set<string>();
  for (const g of groupsOf(consolidate(reviews, { scope }).subjects)) {
    const s = [...g].sort();
    for (let i = 0; i < s.length; i++) for (let j = i + 1; j < s.length; j++) out.add(`${s[i]}|${s[j]}`);
  }
  return out;
}

describe('progress', () => {
  it('tells after each subject is clustered how many of how many are done; the whole input is one block in all scope', () => {
    const reviews = seedReviews({ classify: true });
    const calls: string[] = [];
    const { subjects } = consolidate(reviews, { scope: 'subject', onProgress: (done, total) => calls.push(`${done}/${total}`) });
    expect(calls).toEqual(subjects.filter((s) => s.findings.length > 0).map((_, i, all) => `${i + 1}/${all.length}`));
    const all: string[] = [];
    consolidate(reviews, { scope: 'all', onProgress: (done, total) => all.push(`${done}/${total}`) });
    expect(all).toEqual(['1/1']);
  });
});

describe('seeds', () => {
  for (const classify of [true, false]) {
    describe(classify ? 'classified' : 'unclassified', () => {
      const reviews = seedReviews({ classify });
      const kb = consolidate(reviews, { scope: 'subject' });

      it("merges 002's run_as_root item with 003's Privilege Escalation item, corroboration 2", () => {
        const f = findingWith(kb.subjects, S002, 1);
        expect(f).toBeDefined();
        expect(f!.sources.map((s) => `${s.review}#${s.item}`).sort()).toEqual([`${S002}#1`, `${S003}#4`]);
        expect(f!.corroboration).toBe(2);
        expect(f!.evidence.identifiers.map((i) => i.toLowerCase())).toContain('run_as_root');
      });

      // Both name MAX_CONNTRACK_ZONE_ID and talk of zone ids; what tells them apart is that 002's is
      // generic advice and 003's a concrete concern, which takes the classifier's stance.
      it.runIf(classify)('keeps the MAX_CONNTRACK_ZONE_ID item apart from the Zone ID Handling item', () => {
        expect(findingWith(kb.subjects, S002, 7)!.id).not.toBe(findingWith(kb.subjects, S003, 5)!.id);
      });

      it('merges nothing else that the labels keep apart (ambiguous pairs excepted)', () => {
        const ambiguous = new Set(
          [
            [`${S002}#7`, `${S003}#5`],
            [`${S002}#5`, `${S003}#1`],
            [`${S002}#2`, `${S003}#2`],
            [`${S002}#3`, `${S003}#2`],
          ].map(([a, b]) => `${a}|${b}`),
        );
        const unexpected = [...mergedPairs(reviews)].filter((p) => p !== `${S002}#1|${S003}#4` && !ambiguous.has(p));
        expect(unexpected).toEqual([]);
      });

      it('places every finding in its own subject, sorted by path', () => {
        expect(kb.subjects.map((s) => s.path)).toEqual([
          'neutron/agent/linux/utils.py',
          'neutron/tests/common/net_helpers.py',
          'neutron/tests/functional/agent/linux/test_netlink_lib.py',
        ]);
        const netlink = kb.subjects[2]!;
        expect(netlink.reviews).toEqual([S002, S003]);
        // 7 + 6 items, one pair merged (unclassified, the ambiguous zone-id pair may merge too).
        if (classify) expect(netlink.findings).toHaveLength(12);
        else expect(netlink.findings.length).toBeGreaterThanOrEqual(11);
      });
    });
  }
});

describe('merging rules', () => {
  const subject = 'app/handlers.py';
  const same = [
    '1. **Shell injection in run_command**: `run_command` in lines 10-14 passes the `host` argument to `subprocess.call` with shell=True, so a crafted host name injects shell commands.',
    '2. **Shell injection in run_command**: `run_command` in lines 10-14 passes the `host` argument to `subprocess.call` with shell=True, so a crafted host name injects shell commands.',
  ].join('\n\n');

  it('never merges two findings of the same review, however alike', () => {
    const kb = consolidate([reviewFrom(same, 'r1.md', subject)], { scope: 'subject' });
    expect(kb.subjects[0]!.findings).toHaveLength(2);
    expect(kb.subjects[0]!.findings.every((f) => f.corroboration === 1)).toBe(true);
  });

  it('does not chain: A~B and B~C do not pull A and C together when A and C are unrelated', () => {
    // B states two problems in one item; A shares one of them, C the other.
    const a = reviewFrom(
      '1. **Shell injection via subprocess shell=True**: `run_command` calls `subprocess.call` with shell=True and the unsanitised `host` argument; an attacker injects shell commands through the host name.',
      'a.md',
      subject,
    );
    const b = reviewFrom(
      '1. **Shell injection and weak MD5 token hashing**: `run_command` calls `subprocess.call` with shell=True and the unsanitised `host` argument, so an attacker injects shell commands through the host name; and `make_token` hashes session tokens with unsalted MD5, which is weak and easy to brute force.',
      'b.md',
      subject,
    );
    const c = reviewFrom(
      '1. **Weak MD5 hashing of session tokens**: `make_token` hashes session tokens with unsalted MD5 from `hashlib.md5`, which is weak and easy to brute force; use a keyed HMAC or a strong random token.',
      'c.md',
      subject,
    );
    for (const order of [
      [a, b, c],
      [c, b, a],
      [b, a, c],
    ]) {
      const groups = groupsOf(consolidate(order, { scope: 'subject' }).subjects);
      const withA = groups.find((g) => g.includes('a.md#1'))!;
      expect(withA).not.toContain('c.md#1');
    }
  });

  it('reports the strongest stance and the highest severity, and merges recommendations without repeats', () => {
    const r1 = reviewFrom(
      '1. **SQL injection in get_user**: `get_user` in lines 40-48 formats `user_id` into the SQL query string, so an attacker injects SQL. Use parameterized queries.',
      'x.md',
      subject,
    );
    const r2 = reviewFrom(
      '1. **SQL injection in get_user (critical)**: The query in `get_user` (lines 41-47) is built with string formatting from `user_id`; this is a critical SQL injection. Use parameterized queries.',
      'y.md',
      subject,
    );
    const [f1, f2] = [r1.findings[0]!, r2.findings[0]!];
    f1.severity = 'medium';
    f1.severityScore = 5;
    f1.stance = 'mitigated';
    f1.recommendation = 'Use parameterized queries.';
    f2.severity = 'critical';
    f2.severityScore = 9.5;
    f2.stance = 'concern';
    f2.recommendation = 'Use parameterized queries!';
    const [finding] = consolidate([r1, r2], { scope: 'subject' }).subjects[0]!.findings;
    expect(finding!.corroboration).toBe(2);
    expect(finding!.severity).toBe('critical');
    expect(finding!.severityScore).toBe(9.5);
    expect(finding!.stance).toBe('concern');
    expect(finding!.recommendations).toHaveLength(1);
    expect(finding!.evidence.lines).toEqual([
      [40, 48],
      [41, 47],
    ]);
    expect(finding!.sources.map((s) => s.review)).toEqual(['x.md', 'y.md']);
  });
});

describe('stable ids', () => {
  const subject = 'neutron/tests/functional/agent/linux/test_netlink_lib.py';
  const base = seedReviews();
  const idOf = (reviews: Review[], review: string, item: number): string => findingWith(consolidate(reviews, { scope: 'subject' }).subjects, review, item)!.id;
  const runAsRoot = idOf(base, S002, 1);

  it('does not depend on the order reviews come in, and the whole output is identical', () => {
    const forward = consolidate(base, { scope: 'subject' });
    const backward = consolidate([...base].reverse(), { scope: 'subject' });
    const shuffled = consolidate([base[2]!, base[0]!, base[3]!, base[1]!], { scope: 'subject' });
    expect(backward).toEqual(forward);
    expect(shuffled).toEqual(forward);
    expect(JSON.stringify(shuffled)).toBe(JSON.stringify(forward));
  });

  it('survives a new review that agrees', () => {
    const agreeing = reviewFrom(
      '1. **Commands run as root**: The test executes conntrack commands with `run_as_root=True` (lines 51 and 72), i.e. with root privileges; a privilege escalation risk if the environment is not locked down.',
      '004_agree.md',
      subject,
    );
    const kb = consolidate([...base, agreeing], { scope: 'subject' });
    const f = findingWith(kb.subjects, S002, 1)!;
    expect(f.sources.map((s) => s.review)).toContain('004_agree.md');
    expect(f.corroboration).toBe(3);
    expect(f.id).toBe(runAsRoot);
  });

  it('survives line numbers shifting', () => {
    const shifted = base.map((r) =>
      r.id === S003 ? reviewFrom(readRepoFile(`seeds/${S003}`).replace(/lines? (\d+)/g, (_, n: string) => `lines ${Number(n) + 17}`), S003, subject) : r,
    );
    expect(findingWith(consolidate(shifted, { scope: 'subject' }).subjects, S003, 4)!.evidence.lines).not.toEqual(
      findingWith(consolidate(base, { scope: 'subject' }).subjects, S003, 4)!.evidence.lines,
    );
    expect(idOf(shifted, S002, 1)).toBe(runAsRoot);
    for (const item of [1, 2, 3, 5, 6]) expect(idOf(shifted, S003, item)).toBe(idOf(base, S003, item));
  });

  it('survives one review being reworded', () => {
    const reworded = readRepoFile(`seeds/${S003}`).replace(
      /4\. \*\*Privilege Escalation\*\*:[^\n]*/,
      '4. **Privilege Escalation**: These commands run with root privileges (`run_as_root=True`, lines 51 and 72); make sure the tests only ever run in an isolated, trusted environment so the elevated rights cannot be misused.',
    );
    expect(reworded).not.toBe(readRepoFile(`seeds/${S003}`));
    const reviews = base.map((r) => (r.id === S003 ? reviewFrom(reworded, S003, subject) : r));
    const f = findingWith(consolidate(reviews, { scope: 'subject' }).subjects, S003, 4)!;
    expect(f.corroboration).toBe(2);
    expect(f.id).toBe(runAsRoot);
  });

  it('are unique across the knowledge base and carry no line numbers or positions', () => {
    const kb = consolidate(base, { scope: 'subject' });
    const ids = kb.subjects.flatMap((s) => s.findings.map((f) => f.id));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9_-]+-[0-9a-f]{10}(-[0-9a-f]{6})?$/);
  });
});

describe('recurring themes', () => {
  const dir = 'test/fixtures/consolidate/themes';
  const files: Record<string, string> = { 'api.md': 'app/api.py', 'auth.md': 'app/auth.py', 'storage.md': 'app/storage.py' };
  for (const classify of [true, false]) {
    it(`groups evidence-free advice seen in several subjects (${classify ? 'classified' : 'unclassified'})`, () => {
      const reviews = Object.entries(files).map(([f, s]) => reviewFrom(readRepoFile(`${dir}/${f}`), f, s, { classify }));
      const kb = consolidate(reviews, { scope: 'subject' });
      const dependency = kb.themes.find((t) => t.subjects.length === 3);
      expect(dependency, JSON.stringify(kb.themes)).toBeDefined();
      expect(dependency!.subjects).toEqual(['app/api.py', 'app/auth.py', 'app/storage.py']);
      expect(dependency!.title.toLowerCase()).toMatch(/dependenc/);
      const privilege = kb.themes.find((t) => /privilege/i.test(t.title));
      expect(privilege?.subjects).toEqual(['app/api.py', 'app/storage.py']);
      for (const t of kb.themes) {
        for (const id of t.findings) {
          const f = kb.subjects.flatMap((s) => s.findings).find((x) => x.id === id)!;
          expect(f.theme).toBe(t.id);
        }
      }
      // File-specific findings are never boilerplate.
      for (const s of kb.subjects) expect(s.findings.find((f) => f.evidence.lines.length > 0)!.theme).toBeNull();
    });
  }
});

describe("scope 'all' (contest mode)", () => {
  const dir = 'test/fixtures/consolidate/contest';
  const reviews = readdirSync(dir)
    .sort()
    .map((f) => {
      const r = reviewFrom(readRepoFile(`${dir}/${f}`), f, '');
      // The file a submission links, as ingest would infer it.
      r.subject = r.findings[0]!.evidence.locations[0]!.path;
      return r;
    });

  it('groups the same issue across subjects and places the group where most of its sources are', () => {
    const kb = consolidate(reviews, { scope: 'all' });
    const groups = groupsOf(kb.subjects).map((g) => g.map((k) => k.replace(/#1$/, '')).sort());
    expect(groups).toContainEqual(['a1.md', 'a2.md', 'a3.md', 'd1.md']);
    expect(groups).toContainEqual(['b1.md', 'b2.md']);
    expect(groups).toContainEqual(['c1.md']);
    const stale = findingWith(kb.subjects, 'a1.md', 1)!;
    expect(kb.subjects.find((s) => s.findings.includes(stale))!.path).toBe('contracts/PriceFeed.sol');
    expect(stale.corroboration).toBe(4);
    expect(stale.reviewers).toEqual(['alice', 'bob', 'carol', 'erin']);
    // Subjects keep their own reviews even when their only finding moved elsewhere.
    const pool = kb.subjects.find((s) => s.path === 'contracts/LendingPool.sol')!;
    expect(pool.reviews).toEqual(['d1.md']);
    expect(pool.findings).toEqual([]);
  });

  it("keeps one auditor's two reports apart even when they cite the same lines", () => {
    expect(findingWith(consolidate(reviews, { scope: 'all' }).subjects, 'c1.md', 1)!.corroboration).toBe(1);
  });

  it("in scope 'subject' never merges across subjects", () => {
    const kb = consolidate(reviews, { scope: 'subject' });
    expect(findingWith(kb.subjects, 'd1.md', 1)!.corroboration).toBe(1);
    expect(findingWith(kb.subjects, 'a1.md', 1)!.corroboration).toBe(3);
  });

  it('is deterministic under any input order', () => {
    const forward = JSON.stringify(consolidate(reviews, { scope: 'all' }));
    for (const order of [[...reviews].reverse(), [...reviews.slice(3), ...reviews.slice(0, 3)]])
      expect(JSON.stringify(consolidate(order, { scope: 'all' }))).toBe(forward);
  });
});

describe('subjectId', () => {
  it('is readable, path-safe and distinct for paths whose slugs collide', () => {
    const id = subjectId('neutron/agent/linux/utils.py');
    expect(id).toMatch(/^neutron-agent-linux-utils-py-[0-9a-f]{8}$/);
    expect(subjectId('neutron/agent/linux/utils.py')).toBe(id);
    expect(subjectId('a/b.py')).not.toBe(subjectId('a-b.py'));
    for (const p of ['../../etc/passwd', '/abs/path', 'C:\\x\\y.py', '', '....', 'a/<script>.js']) {
      const s = subjectId(p);
      expect(s).toMatch(/^[a-z0-9-]+$/);
      expect(s).not.toMatch(/^-|\.\./);
    }
  });
});
