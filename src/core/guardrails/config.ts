// `.spyglass/guardrails.json` (and the same shape from settings): its type, a validator with
// errors a person can act on, the merge of layers over the defaults, and the resolved form the
// rules read. A changed configuration changes `hash`, and with it the analysis version.

import type { GuardrailCategory, GuardrailSeverity } from './types';
import { AnchorIndex, compilePatterns, mergeLexicons, type Attempt, type CompiledPattern, type PatternData, type PatternEntry } from './rules/patterns';
import { guardrailsConfigSchema } from './config-schema';
import { hashString, stableStringify } from '../hash';
import injectionData from './data/injection.json';
import refusalData from './data/refusal.json';
import toxicityData from './data/toxicity.json';

export type RuleSetting = boolean | GuardrailSeverity | { enabled?: boolean; severity?: GuardrailSeverity };

export interface CustomRuleConfig {
  id: string;
  pattern: string;
  flags?: string;
  category: GuardrailCategory;
  severity?: GuardrailSeverity;
  explanation?: string;
  sides?: Array<'system' | 'input' | 'output'>;
}

export interface GuardrailsConfig {
  $schema?: string;
  enabled?: boolean;
  rules?: Record<string, RuleSetting>;
  allow?: { emailDomains?: string[]; values?: string[]; patterns?: string[] };
  customRules?: CustomRuleConfig[];
  injection?: { patterns?: PatternEntry[]; lexicon?: Record<string, string[]> };
  refusal?: { patterns?: PatternEntry[] };
  pii?: { phoneCountries?: string[] };
  leakage?: { minWords?: number };
}

export interface ResolvedGuardrailConfig {
  enabled: boolean;
  /** Rule id or prefix → setting; looked up by the longest matching key. */
  rules: Map<string, { enabled?: boolean; severity?: GuardrailSeverity }>;
  allow: { emailDomains: string[]; values: Set<string>; patterns: RegExp[] };
  customRules: Array<{ id: string; re: RegExp; category: GuardrailCategory; severity: GuardrailSeverity; explanation: string; sides: string[] | null }>;
  injectionPatterns: CompiledPattern[];
  refusalPatterns: CompiledPattern[];
  toxicityPatterns: CompiledPattern[];
  /** Which of each list's patterns can match a text (one pass over it for their anchor words). */
  triggers: { injection: (text: string) => Attempt[]; refusal: (text: string) => Attempt[]; toxicity: (text: string) => Attempt[] };
  pii: { phoneCountries: string[] };
  leakage: { minWords: number };
  /** Changes with the configuration and the built-in pattern data. */
  hash: string;
}

/** Countries whose national phone formats are tried, most used first. */
export const DEFAULT_PHONE_COUNTRIES = ['US', 'GB', 'DE', 'FR', 'ES', 'IT', 'NL', 'BR', 'IN', 'AU', 'JP', 'MX', 'PT', 'CH', 'AT', 'BE', 'SE', 'PL', 'IE', 'CN', 'RU'];

const injection = injectionData as PatternData;
const refusal = refusalData as PatternData;
const toxicity = toxicityData as PatternData;

// ---- validation ----

export type ValidationResult = { ok: true; config: GuardrailsConfig } | { ok: false; errors: string[] };

/** The schema's compiled validator (Ajv's, or its standalone code in the extension's bundle). */
export type ConfigShapeValidator = ((d: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string; params?: Record<string, unknown> }> | null };

type AjvLike = new (opts: object) => { compile(schema: object): ConfigShapeValidator };

/** The options the schema is compiled with, everywhere (the build's standalone code too). */
export const CONFIG_SHAPE_AJV_OPTIONS = { allErrors: true, strict: false } as const;

/** Compiles the schema with `Ajv` (passed in so this module stays free of the library). */
export function compileConfigShape(Ajv: AjvLike): ConfigShapeValidator {
  return new Ajv(CONFIG_SHAPE_AJV_OPTIONS).compile(guardrailsConfigSchema);
}

/**
 * Checks a parsed `.spyglass/guardrails.json` against the schema and compiles every pattern, so a
 * bad regular expression is reported here with its place rather than failing a check later.
 */
export function validateGuardrailsConfig(value: unknown, validateShape: ConfigShapeValidator): ValidationResult {
  if (!validateShape(value)) {
    const errors = (validateShape.errors ?? []).map((e) => {
      const at = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '(top level)';
      const p = e.params ?? {};
      const detail = 'additionalProperty' in p ? `: unknown property "${String(p.additionalProperty)}"` : 'allowedValues' in p ? `: one of ${(p.allowedValues as unknown[]).join(', ')}` : '';
      return `${at} ${e.message ?? 'is invalid'}${detail}`;
    });
    return { ok: false, errors: [...new Set(errors)] };
  }
  const config = value as GuardrailsConfig;
  const errors: string[] = [];
  config.customRules?.forEach((r, i) => {
    try {
      new RegExp(r.pattern, r.flags ?? '');
    } catch (e) {
      errors.push(`customRules.${i}.pattern (${r.id}): ${(e as Error).message}`);
    }
  });
  config.allow?.patterns?.forEach((p, i) => {
    try {
      new RegExp(p);
    } catch (e) {
      errors.push(`allow.patterns.${i}: ${(e as Error).message}`);
    }
  });
  const lexicon = mergeLexicons(injection.lexicon, config.injection?.lexicon);
  for (const [key, entries, lex] of [['injection', config.injection?.patterns, lexicon], ['refusal', config.refusal?.patterns, refusal.lexicon]] as const) {
    entries?.forEach((p, i) => {
      try {
        compilePatterns([p], lex, { explanation: '' });
      } catch (e) {
        errors.push(`${key}.patterns.${i} (${p.id}): ${(e as Error).message.replace(/^pattern \d+ \([^)]*\): /, '')}`);
      }
    });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config };
}

// ---- merging and resolving ----

function ruleSetting(s: RuleSetting): { enabled?: boolean; severity?: GuardrailSeverity } {
  if (typeof s === 'boolean') return { enabled: s };
  if (typeof s === 'string') return { severity: s };
  return { ...s };
}

/** Layers in order of strength (settings, then the workspace file): later keys win, lists add up. */
export function mergeGuardrailsConfigs(...layers: Array<GuardrailsConfig | undefined>): GuardrailsConfig {
  const out: GuardrailsConfig = {};
  for (const l of layers) {
    if (!l) continue;
    if (l.enabled !== undefined) out.enabled = l.enabled;
    if (l.rules) {
      out.rules ??= {};
      for (const [k, v] of Object.entries(l.rules)) out.rules[k] = { ...(out.rules[k] !== undefined ? ruleSetting(out.rules[k]!) : {}), ...ruleSetting(v) };
    }
    if (l.allow) {
      out.allow ??= {};
      for (const k of ['emailDomains', 'values', 'patterns'] as const) if (l.allow[k]) out.allow[k] = [...(out.allow[k] ?? []), ...l.allow[k]!];
    }
    if (l.customRules) out.customRules = [...(out.customRules ?? []), ...l.customRules];
    if (l.injection) {
      out.injection ??= {};
      if (l.injection.patterns) out.injection.patterns = [...(out.injection.patterns ?? []), ...l.injection.patterns];
      if (l.injection.lexicon) out.injection.lexicon = mergeLexicons(out.injection.lexicon ?? {}, l.injection.lexicon);
    }
    if (l.refusal?.patterns) out.refusal = { patterns: [...(out.refusal?.patterns ?? []), ...l.refusal.patterns] };
    if (l.pii?.phoneCountries) out.pii = { phoneCountries: l.pii.phoneCountries };
    if (l.leakage?.minWords !== undefined) out.leakage = { minWords: l.leakage.minWords };
  }
  return out;
}

function triggersFor(index: AnchorIndex): ResolvedGuardrailConfig['triggers'] {
  return { injection: (text) => index.attempts(text, 0), refusal: (text) => index.attempts(text, 1), toxicity: (text) => index.attempts(text, 2) };
}

const resolvedCache = new Map<string, ResolvedGuardrailConfig>();

/** The configuration over the defaults, with every pattern compiled. Throws on a bad pattern (validate first). */
export function resolveGuardrailsConfig(config: GuardrailsConfig = {}): ResolvedGuardrailConfig {
  const { $schema: _schema, ...meaningful } = config;
  const hash = hashString(`${injection.version}.${refusal.version}.${toxicity.version}|${stableStringify(meaningful)}`);
  const cached = resolvedCache.get(hash);
  if (cached) return cached;
  const rules = new Map<string, { enabled?: boolean; severity?: GuardrailSeverity }>();
  for (const [k, v] of Object.entries(config.rules ?? {})) rules.set(k, ruleSetting(v));
  const injectionPatterns = compilePatterns([...injection.patterns, ...(config.injection?.patterns ?? [])], mergeLexicons(injection.lexicon, config.injection?.lexicon), { explanation: 'Prompt injection' });
  const refusalPatterns = compilePatterns([...refusal.patterns, ...(config.refusal?.patterns ?? [])], refusal.lexicon, { explanation: 'The model declined the request' });
  const toxicityPatterns = compilePatterns(toxicity.patterns, toxicity.lexicon, { explanation: 'Toxic language' });
  const resolved: ResolvedGuardrailConfig = {
    enabled: config.enabled ?? true,
    rules,
    allow: {
      emailDomains: (config.allow?.emailDomains ?? []).map((d) => d.toLowerCase().replace(/^@/, '')),
      values: new Set(config.allow?.values ?? []),
      patterns: (config.allow?.patterns ?? []).map((p) => new RegExp(`^(?:${p})$`, 'u')),
    },
    customRules: (config.customRules ?? []).map((r) => ({
      id: r.id,
      re: new RegExp(r.pattern, [...new Set(`g${r.flags ?? ''}`)].join('')),
      category: r.category,
      severity: r.severity ?? 'medium',
      explanation: r.explanation ?? `Matches the custom rule ${r.id}`,
      sides: r.sides ?? null,
    })),
    injectionPatterns,
    refusalPatterns,
    toxicityPatterns,
    triggers: triggersFor(new AnchorIndex([injectionPatterns, refusalPatterns, toxicityPatterns])),
    pii: { phoneCountries: config.pii?.phoneCountries ?? DEFAULT_PHONE_COUNTRIES },
    leakage: { minWords: config.leakage?.minWords ?? 20 },
    hash,
  };
  if (resolvedCache.size > 16) resolvedCache.clear();
  resolvedCache.set(hash, resolved);
  return resolved;
}

/** The setting for a rule id: the longest key that is the id or a dotted prefix of it. */
export function settingFor(config: ResolvedGuardrailConfig, rule: string): { enabled?: boolean; severity?: GuardrailSeverity } {
  let id = rule;
  for (;;) {
    const s = config.rules.get(id);
    if (s) return s;
    const dot = id.lastIndexOf('.');
    if (dot < 0) return {};
    id = id.slice(0, dot);
  }
}
