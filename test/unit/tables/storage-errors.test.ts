import { RestError } from "@azure/data-tables";
import { describe, expect, it } from "vitest";
import { storageError, storageStatus } from "../../../shared/adapters/tables/storage-errors";
import { AppError } from "../../../shared/domain/errors";

/** What the Tables SDK throws (`RestError`), mapped to the app's error codes. */
describe("storage errors", () => {
  const failed = (statusCode: number): RestError => new RestError(`status ${statusCode}`, { statusCode });

  it("maps outages, throttling and 5xx to a retryable dependency-unavailable", () => {
    const cases: RestError[] = [
      new RestError("connect ECONNREFUSED 127.0.0.1:1", { code: "ECONNREFUSED" }),
      new RestError("read ECONNRESET", { code: "ECONNRESET" }),
      new RestError("socket hang up", {}),
      new RestError("failed", { code: RestError.REQUEST_SEND_ERROR }),
      failed(500),
      failed(503),
      failed(429),
      failed(408),
    ];
    for (const error of cases) {
      const mapped = storageError(error);
      expect(mapped, error.message).toBeInstanceOf(AppError);
      expect(mapped).toMatchObject({ code: "dependency-unavailable", retryable: true, cause: error });
    }
  });

  it("maps 409 to conflict and 412 to precondition-failed, keeping the status readable", () => {
    const conflict = storageError(failed(409));
    expect(conflict).toMatchObject({ code: "conflict", retryable: false });
    expect(storageStatus(conflict)).toBe(409);
    const changed = storageError(failed(412));
    expect(changed).toMatchObject({ code: "precondition-failed", retryable: false });
    expect(storageStatus(changed)).toBe(412);
  });

  it("leaves 404, other 4xx and errors of the app itself as they are", () => {
    const missing = failed(404);
    expect(storageError(missing)).toBe(missing);
    const bad = failed(400);
    expect(storageError(bad)).toBe(bad);
    const own = new AppError("validation-failed", "no");
    expect(storageError(own)).toBe(own);
    expect(storageStatus(missing)).toBe(404);
    expect(storageStatus(new Error("plain"))).toBeUndefined();
  });
});
