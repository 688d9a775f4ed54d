import { describe, expect, it } from 'vitest';
import { describeChanges, isSavedList, mergeSaved, planCopilotTracing } from '../../../src/host/settings/copilot-tracing-model';

describe('Trace Copilot Chat with Spyglass: the settings', () => {
  it('points Copilot Chat’s OTLP export at the collector, HTTP by default', () => {
    expect(planCopilotTracing({ httpPort: 4318, grpcPort: 4317, grpc: false, captureContent: false }).changes).toEqual([
      { key: 'github.copilot.chat.otel.enabled', value: true },
      { key: 'github.copilot.chat.otel.exporterType', value: 'otlp-http' },
      { key: 'github.copilot.chat.otel.otlpEndpoint', value: 'http://127.0.0.1:4318' },
      { key: 'github.copilot.chat.otel.captureContent', value: false },
    ]);
    const grpc = planCopilotTracing({ httpPort: 4318, grpcPort: 4317, grpc: true, captureContent: true }).changes;
    expect(grpc[1]!.value).toBe('otlp-grpc');
    expect(grpc[2]!.value).toBe('http://127.0.0.1:4317');
    // gRPC turned off in Spyglass: HTTP it is.
    expect(planCopilotTracing({ httpPort: 9000, grpcPort: null, grpc: true, captureContent: true }).changes[1]!.value).toBe('otlp-http');
  });

  it('says what changed, from what to what', () => {
    const plan = planCopilotTracing({ httpPort: 4318, grpcPort: null, grpc: false, captureContent: false });
    const lines = describeChanges(plan, [{ key: 'github.copilot.chat.otel.enabled', previous: false }, { key: 'github.copilot.chat.otel.otlpEndpoint', previous: 'http://collector:4318' }]);
    expect(lines).toEqual([
      'github.copilot.chat.otel.enabled: false → true',
      'github.copilot.chat.otel.exporterType: (not set) → "otlp-http"',
      'github.copilot.chat.otel.otlpEndpoint: "http://collector:4318" → "http://127.0.0.1:4318"',
      'github.copilot.chat.otel.captureContent: (not set) → false',
    ]);
  });

  it('keeps the user’s own values through repeated runs, so undo restores them and not Spyglass’s', () => {
    const first = mergeSaved(undefined, [{ key: 'github.copilot.chat.otel.enabled', previous: undefined }]);
    const again = mergeSaved(first, [{ key: 'github.copilot.chat.otel.enabled', previous: true }, { key: 'github.copilot.chat.otel.outfile', previous: 'x' }]);
    expect(again).toEqual([{ key: 'github.copilot.chat.otel.enabled', previous: undefined }, { key: 'github.copilot.chat.otel.outfile', previous: 'x' }]);
    expect(isSavedList(again)).toBe(true);
    expect(isSavedList([{ key: 'editor.fontSize', previous: 3 }])).toBe(false);
    expect(isSavedList('nope')).toBe(false);
  });
});
