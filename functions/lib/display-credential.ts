import type { HttpRequest } from "@azure/functions";
import { AppError } from "../../shared/domain/errors";

/** The device credential a display sends as `Authorization: Bearer {credential}`. */
export function displayCredential(request: HttpRequest): string {
  const match = /^Bearer\s+(\S{1,256})\s*$/i.exec(request.headers.get("authorization") ?? "");
  if (match?.[1] === undefined)
    throw new AppError(
      "unauthenticated",
      "Send the display's credential as 'Authorization: Bearer <credential>'.",
    );
  return match[1];
}

/** The caller's address as the platform's front end reports it (first `X-Forwarded-For` hop). */
export function callerAddress(request: HttpRequest): string {
  const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded === undefined || forwarded === "" ? "unknown" : forwarded.replace(/:\d+$/, "");
}
