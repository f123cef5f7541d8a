import type { Principal } from "../../domain/auth/principal";
import { AppError, type FieldError } from "../../domain/errors";
import { modeLabels } from "../../domain/integration/capabilities";
import { modePermissions } from "../../domain/integration/modes";
import { currentAccess, type IntegrationAccessDeps } from "../integration/integration-access";
import type {
  CrossDomainSettings,
  CrossDomainStore,
  DomainRepresentative,
} from "../ports/cross-domain-store";

export interface SaveCrossDomainDeps extends IntegrationAccessDeps {
  readonly crossDomain: CrossDomainStore;
}

const invalid = (fields: FieldError[]): AppError =>
  new AppError("validation-failed", "Some representatives cannot be used. Nothing was saved.", { fields });

/**
 * PUT /api/admin/settings/cross-domain: each domain's representative mailbox must be in that domain and
 * readable with the permissions ONES works with (a calendar read with the app token in application
 * modes, with the calling admin's own token in delegated modes). Any failure: `validation-failed`
 * naming each bad entry, and nothing is stored.
 */
export async function saveCrossDomainSettings(
  deps: SaveCrossDomainDeps,
  admin: Principal,
  input: CrossDomainSettings,
): Promise<CrossDomainSettings> {
  const representatives: DomainRepresentative[] = input.representatives.map((r) => ({
    domain: r.domain.trim().toLowerCase(),
    mailbox: r.mailbox.trim(),
  }));
  const shapeErrors: FieldError[] = [];
  const seen = new Set<string>();
  representatives.forEach((r, i) => {
    if (seen.has(r.domain))
      shapeErrors.push({ path: `representatives.${i}.domain`, message: `${r.domain} is listed twice.` });
    seen.add(r.domain);
    const mailboxDomain = r.mailbox.slice(r.mailbox.lastIndexOf("@") + 1).toLowerCase();
    if (mailboxDomain !== r.domain)
      shapeErrors.push({
        path: `representatives.${i}.mailbox`,
        message: `The representative mailbox must be in the domain ${r.domain}.`,
      });
  });
  if (shapeErrors.length > 0) throw invalid(shapeErrors);

  if (representatives.length > 0) {
    const access = await currentAccess(deps, admin);
    if (!access.ok) {
      throw new AppError(
        "precondition-failed",
        `The representatives cannot be checked with the current integration: ${access.detail}`,
      );
    }
    const delegated = modePermissions[access.mode].kind === "delegated";
    const outcomes = await Promise.all(representatives.map((r) => access.probes.calendar(r.mailbox)));
    const errors: FieldError[] = [];
    outcomes.forEach((outcome, i) => {
      if (outcome.ok) return;
      const path = `representatives.${i}.mailbox`;
      if (outcome.reason === "not-found") {
        errors.push({ path, message: "No such mailbox in the tenant." });
      } else if (outcome.reason === "denied") {
        errors.push({
          path,
          message: delegated
            ? `Your account cannot read this mailbox's calendar in the ${modeLabels[access.mode]} mode: the representative needs to share its calendar with you (or sign in as the representative to set it).`
            : access.mode === "application-resource-only"
              ? "The app cannot read this mailbox: add it to the Exchange management scope of the app (see the Exchange script)."
              : "The app cannot read this mailbox: an Exchange application access policy or scope leaves it out.",
        });
      } else {
        throw new AppError(
          "dependency-unavailable",
          "Microsoft Graph could not be reached to check the mailboxes.",
          {
            retryable: true,
          },
        );
      }
    });
    if (errors.length > 0) throw invalid(errors);
  }
  const settings = { representatives };
  await deps.crossDomain.save(settings);
  return settings;
}
