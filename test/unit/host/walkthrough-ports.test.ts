import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
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
