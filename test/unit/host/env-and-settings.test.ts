import { DEFAULT_ALERT_CONFIG } from '../../../src/protocol/alerts';
import { describe, expect, it } from 'vitest';
import { appEnvironment, defaultShell, formatEnvLine, formatEnvSnippet, proxyBaseUrls, terminalEnvironment } from '../../../src/host/settings/env-model';
import { changedSettings, toStartOptions } from '../../../src/host/settings/settings-model';

describe('environment for an app', () => {
  it('points OTLP at the HTTP port and the SDK base URLs at the proxy routes', () => {
    const vars = Object.fromEntries(appEnvironment({ httpPort: 4318, grpcPort: 4317 }).map((v) => [v.name, v.value]));
    expect(vars).toEqual({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OPENAI_BASE_URL: 'http://127.0.0.1:4318/proxy/openai/v1',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:4318/proxy/anthropic',
      GOOGLE_GEMINI_BASE_URL: 'http://127.0.0.1:4318/proxy/gemini',
    });
    expect(proxyBaseUrls(9000).openai).toBe('http://127.0.0.1:9000/proxy/openai/v1');
  });

  it('renders a snippet per shell', () => {
    const vars = appEnvironment({ httpPort: 4318, grpcPort: null });
    expect(formatEnvSnippet(vars, 'posix')).toBe(
      [
        '# Spyglass: OpenTelemetry export (instrumented apps)',
        'export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318',
        'export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf',
        '',
        '# Spyglass: recording proxy for provider SDKs (no instrumentation needed)',
        'export OPENAI_BASE_URL=http://127.0.0.1:4318/proxy/openai/v1',
        'export ANTHROPIC_BASE_URL=http://127.0.0.1:4318/proxy/anthropic',
        'export GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:4318/proxy/gemini',
        '',
      ].join('\n'),
    );
    expect(formatEnvSnippet(vars, 'powershell')).toContain("$env:OPENAI_BASE_URL = 'http://127.0.0.1:4318/proxy/openai/v1'");
    expect(formatEnvSnippet(vars, 'cmd')).toContain('REM Spyglass');
    expect(formatEnvSnippet(vars, 'cmd')).toContain('set "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318"');
    expect(formatEnvSnippet(vars, 'fish')).toContain('set -gx OTEL_EXPORTER_OTLP_PROTOCOL http/protobuf');
    expect(formatEnvSnippet(vars, 'dotenv')).toContain('\nOPENAI_BASE_URL=http://127.0.0.1:4318/proxy/openai/v1\n');
    expect(defaultShell('win32')).toBe('powershell');
    expect(defaultShell('darwin')).toBe('posix');
  });

  it('quotes values that a shell would split or expand', () => {
    expect(formatEnvLine({ name: 'X', value: "it's $HOME" }, 'posix')).toBe(`export X='it'\\''s $HOME'`);
    expect(formatEnvLine({ name: 'X', value: "it's" }, 'powershell')).toBe(`$env:X = 'it''s'`);
  });

  it('puts only the OTLP variables into terminals unless the proxy is chosen too', () => {
    expect(terminalEnvironment(4318, false)).toEqual({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' });
    expect(terminalEnvironment(5000, true)).toEqual({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:5000',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OPENAI_BASE_URL: 'http://127.0.0.1:5000/proxy/openai/v1',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:5000/proxy/anthropic',
    });
  });
});

describe('settings → collector start options', () => {
  const env = { defaultDbPath: '/storage/spyglass.db', home: '/home/dev' };
  const reader = (values: Record<string, unknown>) => (key: string) => values[key];

  it('uses the defaults when nothing is set', () => {
    const { options, warnings } = toStartOptions(reader({}), env);
    expect(warnings).toEqual([]);
    expect(options).toEqual({
      httpPort: 4318,
      grpcPort: 4317,
      dbPath: '/storage/spyglass.db',
      upstreams: {},
      forwardEndpoint: null,
      storeContent: true,
      retentionDays: 30,
      retentionMaxMb: 2048,
      priceOverrides: [],
      maxBodyBytes: 32 * 1024 * 1024,
      alerts: DEFAULT_ALERT_CONFIG,
    });
  });

  it('maps every setting, with 0 meaning "off" for gRPC and the retention limits', () => {
    const { options, warnings } = toStartOptions(
      reader({
        httpPort: 14318,
        grpcPort: 0,
        databasePath: '~/traces/s.db',
        'retention.days': 0,
        'retention.maxSizeMb': 0,
        'prices.overrides': [{ model: 'my-ft', inputPerMTok: 1, outputPerMTok: 2 }],
        'proxy.upstreams': { ollama: 'http://127.0.0.1:11434/', groq: 'https://api.groq.com/openai' },
        'privacy.storeContent': false,
        'forward.endpoint': 'http://collector:4318',
        'capture.maxBodySizeMb': 8,
        'alerts.budgetDailyUsd': 25,
        'alerts.scopedDailyBudgetsUsd': { 'service:checkout': 5 },
        'alerts.scopedMonthlyBudgetsUsd': { 'model:gpt-4o': 300 },
        'alerts.maxCallsPerMinute': 120,
        'alerts.errorRate': 0,
        'alerts.latencyP95Ms': 4000,
        'alerts.webhookUrl': 'http://127.0.0.1:9000/hook',
      }),
      env,
    );
    expect(warnings).toEqual([]);
    expect(options).toEqual({
      httpPort: 14318,
      grpcPort: null,
      dbPath: '/home/dev/traces/s.db',
      upstreams: { ollama: 'http://127.0.0.1:11434', groq: 'https://api.groq.com/openai' },
      forwardEndpoint: 'http://collector:4318',
      storeContent: false,
      retentionDays: null,
      retentionMaxMb: null,
      priceOverrides: [{ model: 'my-ft', inputPerMTok: 1, outputPerMTok: 2 }],
      maxBodyBytes: 8 * 1024 * 1024,
      alerts: {
        ...DEFAULT_ALERT_CONFIG, budgetDailyUsd: 25, scopedDailyBudgetsUsd: { 'service:checkout': 5 }, scopedMonthlyBudgetsUsd: { 'model:gpt-4o': 300 },
        maxCallsPerMinute: 120, errorRate: null,
        latencyP95Ms: 4000, webhookUrl: 'http://127.0.0.1:9000/hook',
      },
    });
  });

  it('warns about bad values and falls back instead of failing', () => {
    const { options, warnings } = toStartOptions(
      reader({
        httpPort: 70000,
        grpcPort: 'x',
        'retention.days': -3,
        'proxy.upstreams': { 'bad name/': 'http://x', ok: 'ftp://nope' },
        'forward.endpoint': 'not a url',
        'prices.overrides': { model: 'x' },
      }),
      env,
    );
    expect(options.httpPort).toBe(4318);
    expect(options.grpcPort).toBe(4317);
    expect(options.retentionDays).toBe(30);
    expect(options.upstreams).toEqual({});
    expect(options.forwardEndpoint).toBeNull();
    expect(options.priceOverrides).toEqual([]);
    expect(warnings).toHaveLength(7);
    expect(warnings[0]).toBe('spyglass.httpPort must be a port number (0–65535); using 4318');
  });

  it('warns about bad alert settings by name and keeps the rule at its default', () => {
    const { options, warnings } = toStartOptions(
      reader({
        'alerts.errorRate': 3,
        'alerts.budgetDailyUsd': 'lots',
        'alerts.scopedDailyBudgetsUsd': { checkout: 5, 'model:x': -1, 'service:ok': 2 },
        'alerts.scopedMonthlyBudgetsUsd': [5],
        'alerts.webhookUrl': 'file:///etc/passwd',
      }),
      env,
    );
    expect(options.alerts).toMatchObject({ errorRate: 0.5, budgetDailyUsd: null, scopedDailyBudgetsUsd: { 'service:ok': 2 }, webhookUrl: null });
    expect(warnings).toEqual([
      'spyglass.alerts.budgetDailyUsd must be a number from 0 to ∞ (0 turns it off); using off',
      'spyglass.alerts.errorRate must be a number from 0 to 1 (0 turns it off); using 0.5',
      'spyglass.alerts.webhookUrl must be an http(s) URL; no webhook',
      'spyglass.alerts.scopedDailyBudgetsUsd: "checkout" must start with "service:" or "model:"; ignored',
      'spyglass.alerts.scopedDailyBudgetsUsd.model:x must be a number above 0; ignored',
      'spyglass.alerts.scopedMonthlyBudgetsUsd must be an object such as {"service:checkout": 5}; ignored',
    ]);
  });

  it('takes HTTP port 0: any free port, for this window alone', () => {
    const { options, warnings } = toStartOptions(reader({ httpPort: 0, grpcPort: 0 }), env);
    expect(options.httpPort).toBe(0);
    expect(options.grpcPort).toBeNull();
    expect(warnings).toEqual([]);
  });

  it('turns gRPC off when it would share the HTTP port', () => {
    const { options, warnings } = toStartOptions(reader({ httpPort: 5000, grpcPort: 5000 }), env);
    expect(options.grpcPort).toBeNull();
    expect(warnings[0]).toMatch(/gRPC is turned off/);
  });

  it('tells capture settings from terminal settings', () => {
    const affects = (changed: string) => (section: string) => changed === section || changed.startsWith(`${section}.`);
    expect(changedSettings(affects('spyglass.httpPort'))).toEqual({ capture: true, terminal: false, autoStart: false });
    expect(changedSettings(affects('spyglass.proxy.upstreams'))).toEqual({ capture: true, terminal: false, autoStart: false });
    expect(changedSettings(affects('spyglass.terminal.injectProxyBaseUrls'))).toEqual({ capture: false, terminal: true, autoStart: false });
    expect(changedSettings(affects('spyglass.capture.autoStart'))).toEqual({ capture: false, terminal: false, autoStart: true });
    expect(changedSettings(affects('editor.fontSize'))).toEqual({ capture: false, terminal: false, autoStart: false });
  });
});
