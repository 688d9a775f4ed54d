// Prometheus metrics for the collector's GET /metrics.
export {
  createMetrics,
  DURATION_BUCKETS_S,
  TTFT_BUCKETS_S,
  OTHER,
  UNKNOWN,
  type CallObservation,
  type LlmMetrics,
  type MetricsOptions,
} from './llm-metrics';
export { Counter, Histogram, PROMETHEUS_CONTENT_TYPE, escapeHelp, escapeLabelValue, formatValue } from './prometheus';
