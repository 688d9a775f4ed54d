// The guardrails as one post-capture analysis: every rule over a call, the configuration's
// switches, severities and allow-lists applied, hits turned into annotation drafts. The runner
// registers `guardrailAnalysis` (or one made from the workspace configuration).

import type { AnnotationDraft, CallText, GuardrailAnalysis, GuardrailHit, GuardrailSubject } from './types';
import { collectTexts, locate } from './text';
import { checkedTextsFor, type CheckedTexts, type PlacelessHit, type TextFindings } from './checked-texts';
import { loadGuardrailLibs } from './libs';
import { resolveGuardrailsConfig, settingFor, type GuardrailsConfig, type ResolvedGuardrailConfig } from './config';
import type { RuleContext } from './rules/context';
import { piiRule } from './rules/pii';
import { secretRule } from './rules/secrets';
import { injectionRule } from './rules/injection';
import { leakageRule } from './rules/leakage';
import { toxicityRule } from './rules/toxicity';
import { refusalRule } from './rules/refusal';
import { formatRule } from './rules/format';
import { truncationRule } from './rules/truncation';
import { customRules } from './rules/custom';
import { redactedRule } from './rules/redacted';

export interface GuardrailRunOptions {
  /** Privacy mode: the texts were redacted before storage, and their placeholders are hits. */
  redacted?: boolean;
}

/** Bumped when a rule's code changes what it finds (the pattern data carry their own versions). */
export const GUARDRAIL_RULES_VERSION = 1;
export const GUARDRAIL_ANALYSIS_NAME = 'guardrails';

function familyOn(config: ResolvedGuardrailConfig, family: string): boolean {
  if (settingFor(config, family).enabled !== false) return true;
  // A family switched off may still have one of its rules switched on by name.
  for (const [k, v] of config.rules) if (k.startsWith(`${family}.`) && v.enabled === true) return true;
  return false;
}

type TextRule = (texts: CallText[], ctx: RuleContext) => GuardrailHit[] | Promise<GuardrailHit[]>;

/** The families that read each text on its own, in the order their hits are reported. */
const PER_TEXT: Array<[string, TextRule]> = [
  ['pii', piiRule],
  ['secret', secretRule],
  ['injection', injectionRule],
  ['toxicity', toxicityRule],
  ['refusal', refusalRule],
];

const placeOf = (t: CallText): string => `${t.side}|${t.origin}`;
const partKey = (side: string, messageIndex: number | undefined, partIndex: number | undefined): string => `${side}|${messageIndex ?? ''}|${partIndex ?? ''}`;

/**
 * The per-text families' hits in each text: from the store of texts checked before where it has
 * them, by running the rules over the others (together, as the rules batch their work per call).
 */
async function perTextFindings(texts: CallText[], ctx: RuleContext, families: Array<[string, TextRule]>, store: CheckedTexts): Promise<TextFindings[]> {
  const findings: Array<TextFindings | undefined> = texts.map((t) => store.get(t.text, placeOf(t)));
  const fresh = texts.filter((_, i) => findings[i] === undefined);
  if (fresh.length > 0) {
    const at = new Map<string, TextFindings>();
    for (const t of fresh) at.set(partKey(t.side, t.messageIndex, t.partIndex), new Map());
    const file = (key: string, hits: GuardrailHit[]): void => {
      for (const h of hits) {
        const { location, ...rest } = h;
        const f = at.get(partKey(location.side, location.messageIndex, location.partIndex))!;
        const list = f.get(key) ?? [];
        list.push({ ...rest, start: location.start, end: location.end });
        f.set(key, list);
      }
    };
    for (const [family, rule] of families) file(family, await rule(fresh, ctx));
    ctx.config.customRules.forEach((r, k) => file(`custom:${k}`, customRules(fresh, { ...ctx, config: { ...ctx.config, customRules: [r] } })));
    texts.forEach((t, i) => {
      if (findings[i] !== undefined) return;
      const f = at.get(partKey(t.side, t.messageIndex, t.partIndex))!;
      findings[i] = f;
      store.set(t.text, placeOf(t), f);
    });
  }
  return findings as TextFindings[];
}

function placed(t: CallText, hits: PlacelessHit[] | undefined): GuardrailHit[] {
  if (!hits) return [];
  return hits.map(({ start, end, ...rest }) => ({ ...rest, location: locate(t, start, end) }) as GuardrailHit);
}

/** Every hit in a call under a configuration (defaults when none is given). */
export async function runGuardrails(call: GuardrailSubject, config: ResolvedGuardrailConfig = resolveGuardrailsConfig(), options: GuardrailRunOptions = {}): Promise<GuardrailHit[]> {
  if (!config.enabled) return [];
  const ctx: RuleContext = { libs: await loadGuardrailLibs(), config };
  const texts = collectTexts(call);
  const families = PER_TEXT.filter(([f]) => familyOn(config, f));
  const findings = await perTextFindings(texts, ctx, families, checkedTextsFor(config));
  const of = (family: string): GuardrailHit[] => texts.flatMap((t, i) => placed(t, findings[i]!.get(family)));
  const hits: GuardrailHit[] = [];
  if (familyOn(config, 'pii')) hits.push(...of('pii'));
  if (familyOn(config, 'secret')) hits.push(...of('secret'));
  if (familyOn(config, 'injection')) hits.push(...of('injection'));
  if (familyOn(config, 'leakage')) hits.push(...leakageRule(texts, ctx));
  if (familyOn(config, 'toxicity')) hits.push(...of('toxicity'));
  if (familyOn(config, 'refusal')) hits.push(...of('refusal'));
  if (familyOn(config, 'format')) hits.push(...formatRule(texts, call, ctx));
  if (familyOn(config, 'truncation')) hits.push(...truncationRule(call));
  config.customRules.forEach((_, k) => hits.push(...of(`custom:${k}`)));
  if (options.redacted) hits.push(...redactedRule(texts, config).filter((h) => h.rule.startsWith(`${h.category}.`) ? familyOn(config, h.category) : true));

  const textAt = new Map(texts.map((t) => [partKey(t.side, t.messageIndex, t.partIndex), t.text]));
  const seen = new Set<string>();
  const out: GuardrailHit[] = [];
  for (const h of hits) {
    const own = settingFor(config, h.rule);
    const byCategory = config.rules.get(h.category) ?? {};
    const enabled = own.enabled ?? byCategory.enabled ?? true;
    if (!enabled) continue;
    const l = h.location;
    const key = `${h.rule}|${l.side}|${l.messageIndex ?? ''}|${l.partIndex ?? ''}|${l.start ?? ''}|${l.end ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (l.start !== undefined && l.end !== undefined && l.partIndex !== undefined) {
      const text = textAt.get(partKey(l.side, l.messageIndex, l.partIndex))?.slice(l.start, l.end);
      if (text !== undefined && allowed(text, h, config)) continue;
    }
    const severity = own.severity ?? byCategory.severity;
    out.push(severity ? { ...h, severity } : h);
  }
  return out;
}

/** Forgets the texts checked under a configuration (the next calls check every text again). */
export function forgetCheckedTexts(config: ResolvedGuardrailConfig): void {
  checkedTextsFor(config).clear();
}

function allowed(text: string, hit: GuardrailHit, config: ResolvedGuardrailConfig): boolean {
  const { allow } = config;
  if (allow.values.has(text) || allow.values.has(text.trim())) return true;
  if (allow.patterns.some((re) => re.test(text))) return true;
  if (hit.rule === 'pii.email') {
    const domain = text.slice(text.lastIndexOf('@') + 1).toLowerCase();
    if (allow.emailDomains.some((d) => domain === d || domain.endsWith(`.${d}`))) return true;
  }
  // A secret inside a longer allowed value (a known fake connection string) is allowed too.
  if (hit.category === 'secret') for (const v of allow.values) if (v.length >= 8 && text.includes(v)) return true;
  return false;
}

export function hitToAnnotation(hit: GuardrailHit): AnnotationDraft {
  const attributes: AnnotationDraft['attributes'] = { category: hit.category, severity: hit.severity, analysis: GUARDRAIL_ANALYSIS_NAME };
  if (hit.type) attributes.type = hit.type;
  return { kind: 'guardrail', name: hit.rule, label: hit.category, score: null, explanation: hit.explanation, source: `rule:${hit.rule}`, location: hit.location, attributes };
}

/** The analysis for the runner, under a configuration; its version changes with the configuration. */
export function createGuardrailAnalysis(config: GuardrailsConfig = {}, options: GuardrailRunOptions = {}): GuardrailAnalysis {
  const resolved = resolveGuardrailsConfig(config);
  return {
    name: GUARDRAIL_ANALYSIS_NAME,
    version: `${GUARDRAIL_RULES_VERSION}+${resolved.hash}${options.redacted ? '+redacted' : ''}`,
    run: async (call) => (await runGuardrails(call, resolved, options)).map(hitToAnnotation),
  };
}

export const guardrailAnalysis: GuardrailAnalysis = createGuardrailAnalysis();
