// How much memory the collector's threads may hold, measured with bench:footprint (idle, after a
// burst, at the ingest ceiling) and bench:ingest (CPU per span).
//
// V8 lets a heap's old generation grow to up to 4 times what was alive after the last full
// collection when its cap is large (the default cap is a quarter of the machine's memory); at full
// ingest that was ~150 MB of mostly garbage on the collector's thread and ~100 MB on the preparing
// thread. Capped at 512 MiB, the growth is ~1.4 times instead, for the same CPU per span. The
// collector's own thread gets its cap from the flags its process starts with (node-flags.ts);
// the preparing thread from these resource limits, whatever flags the process has.
//
// The young generation keeps V8's default size (16 MiB semi-spaces). 32 MiB semi-spaces spent
// less GC time per span, but held ~70 MB more at full ingest for the two threads together; with
// the old generations capped, CPU per span measured the same either way.

import { COLLECTOR_OLD_GENERATION_MB } from './node-flags';

/** The preparing worker's heap (a worker over these is stopped; the bodies it held are answered 503 and it is restarted). */
export const WORKER_RESOURCE_LIMITS = { maxOldGenerationSizeMb: COLLECTOR_OLD_GENERATION_MB, maxYoungGenerationSizeMb: 48 };

/**
 * SQLite's page cache for the collector's connection, in KiB. The store opens with 64 MiB, which
 * ingest fills (random trace ids touch index pages all over); the hot reads (the trace list, one
 * trace, window aggregates) touch a few hundred pages.
 */
export const COLLECTOR_SQLITE_CACHE_KIB = 16 * 1024;
