import type { TableClient } from "@azure/data-tables";
import { AppError, isAppError } from "../../domain/errors";
import { transientNetworkCodes } from "../network-errors";

/**
 * The HTTP status of a Tables failure, also through a mapped `AppError` (its cause is the SDK error),
 * so adapters keep recognising "not there" (404), "exists" (409) and "changed" (412) after mapping.
 */
export function storageStatus(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  if (isAppError(error)) return storageStatus(error.cause);
  const e = error as { statusCode?: unknown; response?: { status?: unknown } };
  const status = e.statusCode ?? e.response?.status;
  return typeof status === "number" ? status : undefined;
}

/** A failure to reach storage at all: refused, reset, timed out, "socket hang up", a failed send. */
function isTransportFailure(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, name, message } = error as { code?: unknown; name?: unknown; message?: unknown };
  if (typeof code === "string" && (transientNetworkCodes.has(code) || code === "REQUEST_SEND_ERROR"))
    return true;
  return name === "RestError" && typeof message === "string" && /socket hang up/i.test(message);
}

/**
 * What a Tables SDK failure means to the rest of the app: storage unreachable or failing (network
 * errors, 408, 429, 5xx) is a retryable `dependency-unavailable`; 409 a `conflict`; 412 a
 * `precondition-failed`. Anything else (404 among them, which adapters handle themselves) is left as is.
 */
export function storageError(error: unknown): unknown {
  if (isAppError(error)) return error;
  const status = storageStatus(error);
  if (status === 409) {
    return new AppError("conflict", "Another request changed the same data at the same time; try again.", {
      cause: error,
    });
  }
  if (status === 412) {
    return new AppError("precondition-failed", "The data changed since it was read; reload and try again.", {
      cause: error,
    });
  }
  if (
    (status !== undefined && (status >= 500 || status === 408 || status === 429)) ||
    isTransportFailure(error)
  ) {
    return new AppError(
      "dependency-unavailable",
      "ONES storage is unavailable right now; try again shortly.",
      {
        retryable: true,
        cause: error,
      },
    );
  }
  return error;
}

/**
 * The table client with every call's failure passed through `storageError`: promises, and the paged
 * iterators `listEntities` returns (whose requests run while they are iterated).
 */
export function guardTable(client: TableClient): TableClient {
  return guard(client);
}

function guard<T extends object>(target: T): T {
  const proxy: T = new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== "function") return value;
      return (...args: unknown[]): unknown => {
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(object, args);
        } catch (error) {
          throw storageError(error);
        }
        if (result === object) return proxy;
        if (result instanceof Promise) {
          return result.catch((error: unknown) => {
            throw storageError(error);
          });
        }
        if (typeof result === "object" && result !== null && Symbol.asyncIterator in result)
          return guard(result);
        return result;
      };
    },
  });
  return proxy;
}
