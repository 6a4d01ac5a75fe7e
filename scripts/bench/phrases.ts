// The phrase data of the synthetic corpus, typed (the phrases themselves live in phrases.json).
import data from './phrases.json' with { type: 'json' };

export interface IssueTemplate {
  severity: string;
  titles: string[];
  risks: string[];
  fixes: string[];
}

export const MODELS: string[] = data.models;
export const OPENERS_CONCERN: string[] = data.openersConcern;
export const OPENERS_CLEAN: string[] = data.openersClean;
export const CLOSERS: string[] = data.closers;
export const FILLER: string[] = data.filler;
export const GENERIC: Omit<IssueTemplate, 'severity'>[] = data.generic;
export const ISSUES: IssueTemplate[] = data.issues;
