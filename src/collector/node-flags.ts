// Node flags for the collector's process, given when it starts (the extension's fork, the CLI
// launcher's re-exec): V8 sizes the main thread's heap once, at start, from them.
//
// An old generation capped at 512 MiB makes V8 grow it by ~1.4 times what is alive after each full
// collection instead of up to 4 times (its growing factor scales with the cap): at full ingest the
// collector's thread then holds ~60 MB of heap instead of ~150 MB, for the same ingest rate. The
// cap itself is far above what the collector keeps alive (~30–60 MB; request bodies are held to a
// 64 MiB budget). The preparing thread gets the same through its resourceLimits (heap.ts).

export const COLLECTOR_OLD_GENERATION_MB = 512;

export const COLLECTOR_NODE_FLAGS: readonly string[] = [`--max-old-space-size=${COLLECTOR_OLD_GENERATION_MB}`];
