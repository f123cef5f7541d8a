import type { RequestContext, SimResponse } from "../http/context";
import { GraphError } from "../http/errors";
import {
  contextUrl,
  decodeToken,
  encodeToken,
  linkWith,
  parseTop,
  queryOption,
  wantsCount,
} from "../http/odata";

/**
 * Pages a directory collection the way Graph does: `$top` (1–999, default 100) and an opaque
 * `$skiptoken` carrying the offset; `@odata.count` when asked for.
 */
export function pagedDirectoryResponse<T>(
  ctx: RequestContext,
  items: T[],
  render: (item: T) => Record<string, unknown>,
  contextFragment: string,
  opts: { countNeedsConsistency?: boolean; defaultPageSize?: number } = {},
): SimResponse {
  const top = parseTop(ctx, 999) ?? opts.defaultPageSize ?? 100;
  const count = wantsCount(ctx, opts.countNeedsConsistency ?? true);
  let offset = 0;
  const skipToken = queryOption(ctx, "skiptoken");
  if (skipToken !== null) {
    const decoded = decodeToken<{ o: number; g: number }>(skipToken);
    if (!decoded || typeof decoded.o !== "number" || decoded.g !== ctx.sim.store.syncGeneration) {
      throw new GraphError(
        400,
        "Directory_ExpiredPageToken",
        "The specified page token value has expired and can no longer be included in your request.",
      );
    }
    offset = decoded.o;
  }
  const page = items.slice(offset, offset + top);
  const body: Record<string, unknown> = { "@odata.context": contextUrl(ctx, contextFragment) };
  if (count) body["@odata.count"] = items.length;
  if (offset + top < items.length) {
    body["@odata.nextLink"] = linkWith(ctx, {
      $skiptoken: encodeToken({ o: offset + top, g: ctx.sim.store.syncGeneration }),
    });
  }
  body.value = page.map(render);
  return { status: 200, body };
}

export function selectFragment(base: string, select: string[] | undefined): string {
  return select ? `${base}(${select.join(",")})` : base;
}
