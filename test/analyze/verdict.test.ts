// What a passage concludes about the code, from the cue phrases in cues.json.
import { describe, expect, it } from 'vitest';
import { decideVerdict, verdictOf } from '../../src/analyze/verdict.js';

describe('verdictOf', () => {
  it.each([
    ['In conclusion, while no direct security defects are detected in the provided snippet, care is needed.', 'no-defects'],
    ['In summary, the code appears to be secure and does not contain any obvious security defects.', 'no-defects'],
    ['In conclusion, while no direct and obvious security defects are detected, several potential risks are identified.', 'no-defects'],
    ['I did not find any security issues.', 'no-defects'],
    ['No vulnerabilities were found.', 'no-defects'],
    ['The code is secure.', 'no-defects'],
    ['The code has no security defects.', 'no-defects'],
    ['Here are the security defects I found in the code:', 'defects'],
    ['This code contains a critical SQL injection vulnerability.', 'defects'],
    ['The following vulnerabilities were identified:', 'defects'],
    ['Overall, the endpoint has two security defects that should be fixed before release.', 'defects'],
    ['Defects found: path traversal, disabled TLS verification.', 'defects'],
    ['No security defects were found at first, but on a closer look the handler is vulnerable to path traversal.', 'defects'],
    ['After reviewing the provided code snippet, here are my observations regarding potential security defects:', null],
    ['The module parses command-line flags.', null],
  ])('%s → %s', (text, want) => {
    expect(verdictOf(text)).toBe(want);
  });
});

describe('decideVerdict', () => {
  it('prefers the conclusion over the framing and flags the disagreement', () => {
    expect(decideVerdict('Here are the security defects I found in the code:', 'In summary, the code appears to be secure.', 7, false)).toMatchObject({
      verdict: 'no-defects',
      contradiction: true,
    });
  });

  it('falls back on the framing, then on whether there are findings', () => {
    expect(decideVerdict('No security defects were found.', '', 0, false)).toMatchObject({ verdict: 'no-defects', contradiction: false });
    expect(decideVerdict('', '', 2, false)).toMatchObject({ verdict: 'defects', contradiction: false });
    expect(decideVerdict('', '', 0, false)).toMatchObject({ verdict: 'unclear', contradiction: false });
  });

  it('takes an audit submission as asserting a defect', () => {
    expect(decideVerdict('', '', 1, true)).toMatchObject({ verdict: 'defects', contradiction: false });
  });
});
