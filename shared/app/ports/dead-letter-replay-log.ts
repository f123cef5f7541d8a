/** Which dead letters were replayed and when, so a second replay of one is told apart from an unknown id. */
export interface DeadLetterReplayLog {
  recordReplayed(id: string, at: Date): Promise<void>;
  replayedAt(id: string): Promise<Date | undefined>;
}
