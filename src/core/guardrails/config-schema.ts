// The JSON schema of `.spyglass/guardrails.json`. The editor completes the file from
// media/schemas/guardrails.schema.json, which `npm run schema:guardrails` writes from this object
// (a unit test fails when the two differ); the collector validates with the same object.

const severity = { type: 'string', enum: ['low', 'medium', 'high'] } as const;
const category = { type: 'string', enum: ['pii', 'secret', 'injection', 'leakage', 'toxicity', 'refusal', 'format', 'truncation'] } as const;
const regexSource = { type: 'string', minLength: 1, description: 'A JavaScript regular expression (without slashes).' } as const;
const flags = { type: 'string', pattern: '^[dgimsuvy]*$', description: 'Regular expression flags, e.g. "i".' } as const;

const patternEntry = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'pattern'],
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]*$', description: 'Rule id reported with each hit, e.g. "injection.override".' },
    pattern: { ...regexSource, description: 'A JavaScript regular expression; {placeholders} from the lexicon are expanded.' },
    flags,
    severity,
    lang: { type: 'string', description: 'Language the pattern is written for (BCP 47), for reports only.' },
    explanation: { type: 'string', description: 'Shown with each hit.' },
    scope: { type: 'string', enum: ['any', 'indirect'], description: '"indirect": only in tool results and retrieved documents.' },
    negative: { type: 'string', description: 'A regular expression; a match that contains it is dropped.' },
    anchors: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Words (lower case) of which every match contains one; the pattern then runs only near them. Derived from a leading {placeholder} when absent.' },
    window: { type: 'integer', minimum: 10, description: 'With anchors: how far (characters) a match may reach from its anchor (default 400).' },
  },
} as const;

export const guardrailsConfigSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Spyglass guardrails',
  description: 'Which guardrail checks Spyglass runs on captured LLM calls, at what severity, and what they let pass.',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    enabled: { type: 'boolean', default: true, description: 'Run guardrail checks at all.' },
    rules: {
      type: 'object',
      description: 'Per rule id (e.g. "pii.phone") or category prefix (e.g. "pii", "secret"): true/false to turn on or off, a severity, or both. The longest matching key wins.',
      propertyNames: { pattern: '^[a-z0-9][a-z0-9._-]*$' },
      additionalProperties: {
        oneOf: [
          { type: 'boolean' },
          severity,
          {
            type: 'object',
            additionalProperties: false,
            properties: { enabled: { type: 'boolean' }, severity },
          },
        ],
      },
    },
    allow: {
      type: 'object',
      additionalProperties: false,
      description: 'What never hits: test e-mail domains, known fake keys, anything matching a pattern.',
      properties: {
        emailDomains: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'E-mail domains (and their subdomains) that are not personal data, e.g. "example.com".' },
        values: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Exact values that never hit, e.g. a fake key used in tests.' },
        patterns: { type: 'array', items: regexSource, description: 'Regular expressions; a hit whose text matches one in full is dropped.' },
      },
    },
    customRules: {
      type: 'array',
      description: 'Your own regular-expression rules.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'pattern', 'category'],
        properties: {
          id: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]*$', description: 'Rule id, e.g. "custom.ticket-id".' },
          pattern: regexSource,
          flags,
          category,
          severity,
          explanation: { type: 'string' },
          sides: { type: 'array', items: { type: 'string', enum: ['system', 'input', 'output'] }, uniqueItems: true, description: 'Where to look; default: everywhere.' },
        },
      },
    },
    injection: {
      type: 'object',
      additionalProperties: false,
      description: 'Extra prompt-injection patterns and lexicon words, added to the built-in ones.',
      properties: {
        patterns: { type: 'array', items: patternEntry },
        lexicon: {
          type: 'object',
          description: 'Extra words per placeholder name (e.g. "override_verb": ["neglect"]), used by every pattern that names the placeholder.',
          additionalProperties: { type: 'array', items: { type: 'string', minLength: 1 } },
        },
      },
    },
    refusal: {
      type: 'object',
      additionalProperties: false,
      description: 'Extra refusal phrasings, added to the built-in ones.',
      properties: { patterns: { type: 'array', items: patternEntry } },
    },
    pii: {
      type: 'object',
      additionalProperties: false,
      properties: {
        phoneCountries: {
          type: 'array',
          items: { type: 'string', pattern: '^[A-Z]{2}$' },
          description: 'Countries (ISO 3166 alpha-2) whose national phone formats are recognised, in order. Numbers written with +country code are recognised for every country.',
        },
      },
    },
    leakage: {
      type: 'object',
      additionalProperties: false,
      properties: {
        minWords: { type: 'integer', minimum: 8, description: 'How many consecutive words of the system instructions an output must repeat to count as a leak (default 20). A short system prompt also leaks when 40% of it (at least 12 words) comes back.' },
      },
    },
  },
} as const;
