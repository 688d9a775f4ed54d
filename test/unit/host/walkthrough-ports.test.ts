import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REGISTRATION_PROBE_STEP, WALKTHROUGH_ID } from '../../../src/host/walkthrough/walkthrough-id';
import { fillPorts } from '../../../src/host/walkthrough/ports-markdown';

const template = fs.readFileSync(path.resolve(import.meta.dirname, '../../../media/walkthrough/connect-app.template.md'), 'utf8');

describe('the walkthrough\'s ports', () => {
  it('fills the "Connect an app" page with the ports in use, everywhere the template names them', () => {
    const page = fillPorts(template, { httpPort: 52_111, grpcPort: 52_112 });
    expect(page).toContain('**127.0.0.1:52111**');
    expect(page).toContain('**127.0.0.1:52112** for OTLP over gRPC');
    expect(page).toContain('OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:52111');
    expect(page).toContain('OPENAI_BASE_URL=http://127.0.0.1:52111/proxy/openai/v1');
    expect(page).not.toMatch(/\{\{|4318/);
  });

  it('says when gRPC is off', () => {
    expect(fillPorts(template, { httpPort: 4318, grpcPort: null })).toContain('(OTLP over gRPC is off)');
  });

  it('ships a page that already reads well with the default ports', () => {
    const shipped = fs.readFileSync(path.resolve(import.meta.dirname, '../../../media/walkthrough/connect-app.md'), 'utf8');
    expect(shipped).toBe(fillPorts(template, { httpPort: 4318, grpcPort: 4317 }));
  });
});

describe('the walkthrough in package.json', () => {
  const root = path.resolve(import.meta.dirname, '../../..');
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    contributes: { walkthroughs: { id: string; steps: { id: string; when?: string; media: { markdown?: string }; completionEvents: string[] }[] }[] };
  };

  it('is contributed once, under the id "Get Started" opens, with step ids the host ticks', () => {
    // A second walkthrough of the same id is dropped by VS Code ("Skipping attempt to overwrite walkthrough").
    const ids = pkg.contributes.walkthroughs.map((w) => w.id);
    expect(ids).toEqual([WALKTHROUGH_ID]);
    const steps = pkg.contributes.walkthroughs[0]!.steps;
    expect(new Set(steps.map((s) => s.id)).size).toBe(steps.length);
    expect(steps.map((s) => s.id)).toContain('spyglass.start');
    for (const s of steps) {
      // VS Code drops a walkthrough with a step it cannot read (no media), the hidden one included.
      expect(fs.existsSync(path.join(root, s.media.markdown ?? '')), s.id).toBe(true);
      if (s.id !== REGISTRATION_PROBE_STEP) expect(s.completionEvents.length, s.id).toBeGreaterThan(0);
    }
  });

  it('has the step "Get Started" asks about never shown, and nothing that would tick it', () => {
    const probe = pkg.contributes.walkthroughs[0]!.steps.find((s) => s.id === REGISTRATION_PROBE_STEP);
    expect(probe?.when).toBe('false');
    expect(probe?.completionEvents).toEqual([]);
  });
});
