// Messages between the collector's thread and its checkpointing thread (checkpoint-worker.ts).

export interface CheckpointWorkerData {
  dbPath: string;
}

export type CheckpointReply =
  | { type: 'ready' }
  /** Frames in the WAL, and how many of them are now in the database file. */
  | { type: 'checkpointed'; walFrames: number; copiedFrames: number };
