// `GET /api/dashboard/top`: the dashboard's top tables over a whole range (SQL over the indexed
// calls and the rollups, not the newest page of traces). Each row names what it opens.

export interface TopCall {
  traceId: string;
  spanId: string;
  name: string;
  model: string;
  service: string | null;
  startTime: number;
  durationMs: number;
  costUsd: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  isError: boolean;
}

export interface TopGroup {
  /** A prompt as `name` or `name@version`, or a service's name. */
  key: string;
  calls: number;
  costUsd: number;
  /** The costliest trace of the group, what its row opens. */
  traceId: string | null;
}

export interface DashboardTops {
  from: number;
  to: number;
  costliestCalls: TopCall[];
  slowestCalls: TopCall[];
  costliestPrompts: TopGroup[];
  costliestServices: TopGroup[];
  /** What the filters can choose from within the range. */
  services: string[];
  models: string[];
  prompts: string[];
}

export interface DashboardTopQuery {
  from?: number;
  to?: number;
  service?: string;
  model?: string;
  /** `name` or `name@version`. */
  prompt?: string;
  limit?: number;
}


// The dashboard's series (`GET /api/dashboard/series`): the shapes live with the pure code that builds them.
export type {
  CostStack, CostStackBy, DashboardSeries, DashboardSeriesQuery, HistogramBin, Percentiles, SeriesBucket, SpendBy, SpendGroup,
} from '../core/dashboard/types';
