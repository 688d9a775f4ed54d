// `npm run eval:guardrails`: precision and recall of every guardrail category on the labelled
// corpus (test/fixtures/guardrails), the tuned part and the held-out part apart; then the same
// PII cases through @openredaction/openredaction for comparison. Exits 1 when a category is
// below 0.9 in either part.

import { runGuardrails } from '../src/core/guardrails';
import { caseToCall, loadCorpus, score, type CategoryScore } from '../test/fixtures/guardrails/corpus';
import { partText } from '../src/core/guardrails/text';

function table(title: string, rows: CategoryScore[]): boolean {
  console.log(`\n${title}`);
  console.log('category     cases  TP  FP  FN  TN  precision  recall');
  let ok = true;
  for (const r of rows) {
    const n = r.tp + r.fp + r.fn + r.tn;
    console.log(`${r.category.padEnd(12)} ${String(n).padStart(5)} ${String(r.tp).padStart(3)} ${String(r.fp).padStart(3)} ${String(r.fn).padStart(3)} ${String(r.tn).padStart(3)}  ${r.precision.toFixed(3).padStart(9)}  ${r.recall.toFixed(3).padStart(6)}`);
    if (r.precision < 0.9 || r.recall < 0.9) ok = false;
  }
  const misses = rows.flatMap((r) => r.misses);
  if (misses.length > 0) console.log(`  wrong: ${misses.join('\n         ')}`);
  return ok;
}

async function openRedactionComparison(): Promise<void> {
  let mod: { OpenRedaction: new (o: object) => { detect(t: string): { detections?: Array<{ type: string }> } } };
  try {
    mod = (await import('@openredaction/openredaction')) as typeof mod;
  } catch {
    console.log('\n(@openredaction/openredaction not installed: comparison skipped)');
    return;
  }
  const shield = new mod.OpenRedaction({ includeNames: false, includeAddresses: false });
  const wanted = /^(EMAIL|PHONE|SSN|CREDIT_CARD|IBAN|IPV4|IPV6)/;
  for (const split of ['tuned', 'heldout', 'fresh'] as const) {
    const cases = loadCorpus(split).filter((c) => c.category === 'pii');
    let tp = 0, fp = 0, fn = 0;
    const t0 = performance.now();
    for (const c of cases) {
      const call = caseToCall(c);
      const texts = [...call.inputMessages, ...call.outputMessages].flatMap((m) => m.parts.map(partText)).filter((t): t is string => !!t);
      const hit = texts.some((t) => (shield.detect(t).detections ?? []).some((d) => wanted.test(d.type)));
      if (hit && c.label === 1) tp++;
      else if (hit) fp++;
      else if (c.label === 1) fn++;
    }
    const ms = (performance.now() - t0) / cases.length;
    console.log(`openredaction pii (${split}): precision ${(tp / Math.max(1, tp + fp)).toFixed(3)}, recall ${(tp / Math.max(1, tp + fn)).toFixed(3)}, ${ms.toFixed(2)} ms per case`);
  }
}

async function main(): Promise<void> {
  const tuned = await score(loadCorpus('tuned'), (c) => runGuardrails(c));
  const heldout = await score(loadCorpus('heldout'), (c) => runGuardrails(c));
  const fresh = await score(loadCorpus('fresh'), (c) => runGuardrails(c));
  const okT = table('Tuned corpus (the rules were adjusted against it)', tuned);
  const okH = table('Held-out corpus (written with the tuned one; two of its misses on the first run led to general fixes)', heldout);
  const okF = table('Fresh corpus (written after the first tuning; its four first-run misses then led to general fixes)', fresh);
  await openRedactionComparison();
  if (!okT || !okH || !okF) {
    console.log('\nBelow 0.9 somewhere.');
    process.exitCode = 1;
  }
}

void main();
