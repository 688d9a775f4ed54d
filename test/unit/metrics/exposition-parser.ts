// A strict reader of the Prometheus text exposition format (0.0.4), for the metrics tests:
// every line must be a HELP, a TYPE or a sample of a declared family, or parsing fails.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help: string;
  type: string;
  samples: Sample[];
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

function parseValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  if (!/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(text)) throw new Error(`bad value ${JSON.stringify(text)}`);
  return Number(text);
}

/** Parses `{a="x",b="y\"z"}` starting at `text[start] === '{'`; returns labels and the index after `}`. */
function parseLabels(text: string, start: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  while (text[i] !== '}') {
    const nameMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i));
    if (!nameMatch) throw new Error(`bad label name at ${i} in ${text}`);
    const name = nameMatch[0];
    i += name.length;
    if (text[i] !== '=' || text[i + 1] !== '"') throw new Error(`expected =" at ${i} in ${text}`);
    i += 2;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) throw new Error(`unterminated label value in ${text}`);
      if (c === '\n') throw new Error('raw newline in label value');
      if (c === '"') break;
      if (c === '\\') {
        const next = text[i + 1];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else throw new Error(`bad escape \\${next} in ${text}`);
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    i++; // closing quote
    if (name in labels) throw new Error(`duplicate label ${name}`);
    labels[name] = value;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw new Error(`expected , or } at ${i} in ${text}`);
  }
  return { labels, end: i + 1 };
}

function familyOf(sampleName: string, families: Map<string, Family>): Family | undefined {
  const direct = families.get(sampleName);
  if (direct) return direct;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (sampleName.endsWith(suffix)) {
      const f = families.get(sampleName.slice(0, -suffix.length));
      if (f?.type === 'histogram') return f;
    }
  }
  return undefined;
}

export function parseExposition(text: string): Map<string, Family> {
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const families = new Map<string, Family>();
  for (const line of text.split('\n').slice(0, -1)) {
    if (line === '') throw new Error('blank line');
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (help) {
      if (families.has(help[1]!)) throw new Error(`second HELP for ${help[1]}`);
      families.set(help[1]!, { name: help[1]!, help: unescapeHelp(help[2]!), type: '', samples: [] });
      continue;
    }
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      const f = families.get(type[1]!);
      if (!f || f.type !== '' || f.samples.length > 0) throw new Error(`TYPE out of place: ${line}`);
      f.type = type[2]!;
      continue;
    }
    if (line.startsWith('#')) throw new Error(`unexpected comment ${line}`);
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!nameMatch) throw new Error(`bad sample line ${line}`);
    const name = nameMatch[0];
    let rest = name.length;
    let labels: Record<string, string> = {};
    if (line[rest] === '{') {
      const parsed = parseLabels(line, rest);
      labels = parsed.labels;
      rest = parsed.end;
    }
    if (line[rest] !== ' ') throw new Error(`expected a space before the value in ${line}`);
    const value = parseValue(line.slice(rest + 1));
    const family = familyOf(name, families);
    if (!family || family.type === '') throw new Error(`sample of an undeclared family: ${line}`);
    family.samples.push({ name, labels, value });
  }
  return families;
}

/** The one sample named `name` whose labels include `labels`; fails if there is not exactly one. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string>): number {
  const matches: Sample[] = [];
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) matches.push(s);
    }
  }
  if (matches.length !== 1) throw new Error(`expected one ${name} ${JSON.stringify(labels)}, found ${matches.length}`);
  return matches[0]!.value;
}
