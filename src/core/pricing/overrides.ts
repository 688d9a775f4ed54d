// User price overrides and additions (settings `spyglass.priceOverrides`, CLI config): validated
// here so a typo gets a clear message naming the entry and field instead of a silently wrong cost.

import { sameProvider } from './providers';

/**
 * A user's price for a model, in USD per million tokens. Wins over the maintained price table.
 *
 * `model` is an exact model name or a glob where `*` matches any run of characters
 * (`gpt-4o*`, `*-instruct`, `my-finetune-*`); matching ignores case. `provider`, when set,
 * restricts the override to calls from that provider (any spelling: `azure`, `az.ai.openai`, …).
 * Cache reads and cache writes are priced at `inputPerMTok` unless their own price is given.
 */
export interface PriceOverride {
  model: string;
  provider?: string;
  inputPerMTok: number;
  outputPerMTok: number;
  cacheReadPerMTok?: number;
  cacheWritePerMTok?: number;
}

export interface ParsedPriceOverrides {
  /** The valid entries, in the order given. */
  overrides: PriceOverride[];
  /** One message per problem, naming the entry (`priceOverrides[2].inputPerMTok …`). */
  errors: string[];
}

const PRICE_FIELDS = ['inputPerMTok', 'outputPerMTok', 'cacheReadPerMTok', 'cacheWritePerMTok'] as const;
const KNOWN_FIELDS: ReadonlySet<string> = new Set(['model', 'provider', ...PRICE_FIELDS]);

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

function isPrice(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/**
 * Validates user-supplied overrides (parsed JSON of any shape). Invalid entries are left out and
 * each problem is reported; unknown fields (a misspelt `cachedReadPerMTok`) are reported but do not
 * drop an otherwise valid entry. `label` prefixes the messages (default `priceOverrides`).
 */
export function parsePriceOverrides(input: unknown, label = 'priceOverrides'): ParsedPriceOverrides {
  const overrides: PriceOverride[] = [];
  const errors: string[] = [];
  if (input === undefined || input === null) return { overrides, errors };
  if (!Array.isArray(input)) {
    errors.push(`${label} must be an array of {model, inputPerMTok, outputPerMTok, …} entries, got ${describe(input)}`);
    return { overrides, errors };
  }
  input.forEach((entry: unknown, index) => {
    const at = `${label}[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      errors.push(`${at} must be an object, got ${describe(entry)}`);
      return;
    }
    const record = entry as Record<string, unknown>;
    let valid = true;
    if (typeof record.model !== 'string' || record.model.trim() === '') {
      errors.push(`${at}.model must be a non-empty model name or glob (e.g. "gpt-4o*"), got ${describe(record.model)}`);
      valid = false;
    }
    if (record.provider !== undefined && (typeof record.provider !== 'string' || record.provider.trim() === '')) {
      errors.push(`${at}.provider must be a non-empty string when set, got ${describe(record.provider)}`);
      valid = false;
    }
    for (const field of PRICE_FIELDS) {
      const value = record[field];
      const required = field === 'inputPerMTok' || field === 'outputPerMTok';
      if (value === undefined && !required) continue;
      if (!isPrice(value)) {
        errors.push(`${at}.${field} must be a non-negative number of USD per million tokens, got ${describe(value)}`);
        valid = false;
      }
    }
    for (const key of Object.keys(record)) {
      if (!KNOWN_FIELDS.has(key)) {
        errors.push(`${at} has an unknown field "${key}" (known: ${[...KNOWN_FIELDS].join(', ')})`);
      }
    }
    if (!valid) return;
    const override: PriceOverride = {
      model: (record.model as string).trim(),
      inputPerMTok: record.inputPerMTok as number,
      outputPerMTok: record.outputPerMTok as number,
    };
    if (typeof record.provider === 'string') override.provider = record.provider.trim();
    if (record.cacheReadPerMTok !== undefined) override.cacheReadPerMTok = record.cacheReadPerMTok as number;
    if (record.cacheWritePerMTok !== undefined) override.cacheWritePerMTok = record.cacheWritePerMTok as number;
    overrides.push(override);
  });
  return { overrides, errors };
}

const globCache = new Map<string, RegExp>();

function globRegExp(glob: string): RegExp {
  let re = globCache.get(glob);
  if (!re) {
    const body = glob
      .split('*')
      .map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`, 'i');
    if (globCache.size > 1000) globCache.clear();
    globCache.set(glob, re);
  }
  return re;
}

/** Whether an override's model name or glob matches a model name (case-insensitive). */
export function overrideMatchesModel(pattern: string, model: string): boolean {
  if (!pattern.includes('*')) return pattern.toLowerCase() === model.trim().toLowerCase();
  return globRegExp(pattern).test(model.trim());
}

/**
 * The override for a call, if any. Among several matches the most specific wins: an exact model
 * name beats a glob, then one naming the call's provider beats one without; ties go to the first
 * in the list. An override naming a provider never matches a call whose provider is unknown.
 */
export function findOverride(
  overrides: readonly PriceOverride[],
  models: readonly string[],
  provider: string | null,
): PriceOverride | null {
  let best: PriceOverride | null = null;
  let bestScore = -1;
  for (const override of overrides) {
    if (override.provider !== undefined && (provider === null || !sameProvider(override.provider, provider))) continue;
    if (!models.some((m) => overrideMatchesModel(override.model, m))) continue;
    const score = (override.model.includes('*') ? 0 : 2) + (override.provider !== undefined ? 1 : 0);
    if (score > bestScore) {
      best = override;
      bestScore = score;
    }
  }
  return best;
}
