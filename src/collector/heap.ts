// Ingest allocates fast and briefly: decoded spans, their JSON columns, prepared batches. With
// V8's default young generation (16 MiB semi-spaces) much of that lives just long enough to be
// promoted, and the GC's helper threads spent ~15 µs of CPU a span at full ingest; with 32 MiB
// semi-spaces they spend about half, and ingest is ~20% faster on two cores (bench:ingest).

import v8 from 'node:v8';

const SEMI_SPACE_MB = 32;

/** The young generation V8 makes of 32 MiB semi-spaces (two of them, and as much for large objects). */
export const YOUNG_GENERATION_MB = SEMI_SPACE_MB * 3;

/**
 * Sets this process's young generation for ingest. V8 flags are process-wide: this is for the
 * collector's own process (the CLI), and for tests and benchmarks that run a collector in theirs.
 */
export function tuneHeapForIngest(): void {
  v8.setFlagsFromString(`--max-semi-space-size=${SEMI_SPACE_MB}`);
}
