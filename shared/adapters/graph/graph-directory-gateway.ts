import type { DirectoryGateway, GraphPage } from "../../app/ports/m365-gateways";
import { groupSelect, type DirectoryGroup } from "../../domain/people/group";
import { userSelect, type DirectoryUser } from "../../domain/people/person";
import type { GraphClient } from "./graph-client";

/** Delta pages as large as Graph allows: fewer requests for the same objects. */
const DELTA_PAGE = { Prefer: "odata.maxpagesize=999" };

/** Users and groups by delta query (/users/delta, /groups/delta with members). */
export class GraphDirectoryGateway implements DirectoryGateway {
  constructor(private readonly graph: GraphClient) {}

  users(from?: string): AsyncIterable<GraphPage<DirectoryUser>> {
    return this.graph.pages<DirectoryUser>(from ?? `/users/delta?$select=${userSelect.join(",")}`, {
      headers: DELTA_PAGE,
    });
  }

  groups(from?: string): AsyncIterable<GraphPage<DirectoryGroup>> {
    return this.graph.pages<DirectoryGroup>(from ?? `/groups/delta?$select=${groupSelect.join(",")}`, {
      headers: DELTA_PAGE,
    });
  }
}
