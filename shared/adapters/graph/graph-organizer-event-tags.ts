import type { OrganizerEventTags } from "../../app/ports/organizer-event-tags";
import { customPropertiesExtendedPropertyId, holdIdOf } from "../../domain/addin/hold-tag";
import type { GraphClient } from "./graph-client";

interface TaggedEvent {
  singleValueExtendedProperties?: { id?: string; value?: string }[];
}

/** The organizer's event found by iCalUId, with the add-in's custom-properties extended property expanded. */
export class GraphOrganizerEventTags implements OrganizerEventTags {
  constructor(
    private readonly client: () => GraphClient,
    private readonly addinId: string,
  ) {}

  async holdIdOf(organizerEmail: string, iCalUId: string): Promise<string | undefined> {
    const property = customPropertiesExtendedPropertyId(this.addinId);
    const filter = `iCalUId eq '${iCalUId.replace(/'/g, "''")}'`;
    const expand = `singleValueExtendedProperties($filter=id eq '${property}')`;
    const mailbox = organizerEmail.toLowerCase();
    const path = `/users/${encodeURIComponent(mailbox)}/events?$filter=${encodeURIComponent(filter)}&$select=id&$expand=${encodeURIComponent(expand)}`;
    const body = await this.client().get<{ value?: TaggedEvent[] }>(path, { mailbox });
    for (const event of body.value ?? []) {
      const id = holdIdOf(event.singleValueExtendedProperties?.[0]?.value);
      if (id !== undefined) return id;
    }
    return undefined;
  }
}
