/**
 * A store whose rows lapse: `purgeExpired` deletes the rows that lapsed before `before` (what "lapsed"
 * means is the store's: its documentation says which time it compares) and returns how many it deleted.
 */
export interface ExpiredRowPurge {
  purgeExpired(before: Date): Promise<number>;
}
