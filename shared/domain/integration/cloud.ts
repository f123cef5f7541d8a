/** The Microsoft 365 service operators ONES supports, and the hosts each one uses. */
export type Cloud = "global" | "china";

export interface CloudEndpoints {
  readonly graphBaseUrl: string;
  readonly loginBaseUrl: string;
}

const endpoints: Record<Cloud, CloudEndpoints> = {
  global: { graphBaseUrl: "https://graph.microsoft.com", loginBaseUrl: "https://login.microsoftonline.com" },
  // Operated by 21Vianet: https://learn.microsoft.com/graph/deployments
  china: {
    graphBaseUrl: "https://microsoftgraph.chinacloudapi.cn",
    loginBaseUrl: "https://login.chinacloudapi.cn",
  },
};

/** The endpoints for a cloud, with optional overrides (the M365 simulator on the local stack). */
export function cloudEndpoints(cloud: Cloud, overrides: Partial<CloudEndpoints> = {}): CloudEndpoints {
  const base = endpoints[cloud];
  return {
    graphBaseUrl: trimSlash(overrides.graphBaseUrl ?? base.graphBaseUrl),
    loginBaseUrl: trimSlash(overrides.loginBaseUrl ?? base.loginBaseUrl),
  };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
