import type { CloudName } from "../store/types";

/** Host names and token values of the two Microsoft clouds the simulator stands in for. */
export interface CloudProfile {
  name: CloudName;
  loginHost: string;
  graphHost: string;
  /** `aud` of Graph access tokens. */
  graphAudience: string;
  /** `iss` of (v1.0-format) Graph access tokens, before the tenant id. */
  stsIssuerBase: string;
}

export const CLOUDS: Record<CloudName, CloudProfile> = {
  global: {
    name: "global",
    loginHost: "login.microsoftonline.com",
    graphHost: "graph.microsoft.com",
    graphAudience: "https://graph.microsoft.com",
    stsIssuerBase: "https://sts.windows.net",
  },
  china: {
    name: "china",
    loginHost: "login.chinacloudapi.cn",
    graphHost: "microsoftgraph.chinacloudapi.cn",
    graphAudience: "https://microsoftgraph.chinacloudapi.cn",
    stsIssuerBase: "https://sts.chinacloudapi.cn",
  },
};

/** The well-known application id of Microsoft Graph (also accepted as a token audience). */
export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

const CHINA_HOSTS = [
  "login.chinacloudapi.cn",
  "login.partner.microsoftonline.cn",
  "microsoftgraph.chinacloudapi.cn",
];

/** Which cloud a request addressed, from its Host header (loopback counts as global). */
export function cloudOfHost(host: string | undefined): CloudName {
  const name = (host ?? "").split(":")[0]?.toLowerCase() ?? "";
  return CHINA_HOSTS.includes(name) ? "china" : "global";
}

/** Graph audiences the simulated Graph accepts: both clouds' resource URIs and Graph's app id. */
export const ACCEPTED_GRAPH_AUDIENCES = new Set([
  CLOUDS.global.graphAudience,
  `${CLOUDS.global.graphAudience}/`,
  CLOUDS.china.graphAudience,
  `${CLOUDS.china.graphAudience}/`,
  GRAPH_APP_ID,
]);
