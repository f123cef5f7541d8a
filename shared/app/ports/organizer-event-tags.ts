/**
 * Reads the add-in's hold tag from the organizer's copy of a meeting (where the integration's mode may
 * read the organizer's calendar), so a sent meeting is matched to its hold exactly.
 */
export interface OrganizerEventTags {
  /** The hold id the organizer's event with this iCalUId carries, if the event exists and has one. */
  holdIdOf(organizerEmail: string, iCalUId: string): Promise<string | undefined>;
}
