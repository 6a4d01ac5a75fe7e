// Severity of a finding and its SARIF security-severity score, from the review's own rating or from category, stance and specificity.
import type { Severity, Stance } from '../model.js';

/** Representative scores per level on the SARIF security-severity scale (critical ≥ 9, high 7–8.9, medium 4–6.9, low 0.1–3.9). */
export const SEVERITY_SCORE: Record<Severity, number> = { critical: 9.5, high: 8, medium: 5.5, low: 2.5, info: 0 };

export function severityOfScore(score: number): Severity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score >= 0.1) return 'low';
  return 'info';
}

/**
 * The rule:
 * - a severity the review states wins, scored at its level's representative score;
 * - otherwise start from the category's default level (low when it has none), then
 *   concern: × (0.7 + 0.3 × specificity) — an unsupported concern drops about one level;
 *   mitigated and generic: × 0.35, at most 3.9 (low) — advice and handled risks are not defects;
 *   positive: 0 (info).
 */
export function deriveSeverity(
  stated: Severity | null,
  categoryDefault: Severity | undefined,
  stance: Stance,
  specificity: number,
): { severity: Severity; severityScore: number; reason: string } {
  if (stated) return { severity: stated, severityScore: SEVERITY_SCORE[stated], reason: `severity ${stated}: stated by the review` };
  const base = SEVERITY_SCORE[categoryDefault ?? 'low'];
  let score: number;
  if (stance === 'concern') score = base * (0.7 + 0.3 * specificity);
  else if (stance === 'positive') score = 0;
  else score = Math.min(base * 0.35, 3.9);
  score = Math.round(score * 10) / 10;
  const severity = severityOfScore(score);
  return { severity, severityScore: score, reason: `severity ${severity}: category default ${categoryDefault ?? 'low'}, ${stance}, specificity ${specificity}` };
}
