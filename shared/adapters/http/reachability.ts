import { connect } from "node:net";
import type { DependencyName, DependencyProbe } from "../../app/ports/dependency-probe";

/** Reachable when the origin answers HTTP at all: any status means the service is there. */
export function httpProbe(name: DependencyName, url: string | undefined, required = false): DependencyProbe {
  return {
    name,
    required,
    check:
      url === undefined
        ? undefined
        : async (signal) => {
            const response = await fetch(url, { method: "GET", signal, redirect: "manual" });
            await response.body?.cancel();
          },
  };
}

/** Reachable when a TCP connection opens (SMTP servers, whose greeting we need not read). */
export function tcpProbe(
  name: DependencyName,
  host: string | undefined,
  port: number,
  required = false,
): DependencyProbe {
  return {
    name,
    required,
    check:
      host === undefined
        ? undefined
        : (signal) =>
            new Promise<void>((resolve, reject) => {
              const socket = connect({ host, port });
              const fail = (error: Error): void => {
                socket.destroy();
                reject(error);
              };
              signal.addEventListener("abort", () => fail(new Error("timeout")), { once: true });
              socket.once("error", fail);
              socket.once("connect", () => {
                socket.end();
                resolve();
              });
            }),
  };
}
