import { AppError } from "../../domain/errors";

/**
 * What a person is told when Microsoft Entra ID sends the sign-in back with an error. Only the AADSTS
 * code of `error_description` is read (the text itself is not shown: it travels in the URL and anyone
 * can craft it); known codes get their reason, others the code to quote.
 */
const reasons: Record<number, string> = {
  50057:
    "Your Microsoft 365 account is disabled, so Microsoft Entra ID did not sign you in. Ask your administrator.",
  50034:
    "Microsoft Entra ID does not know this account in your organisation's directory. Sign in with your work account.",
  50105:
    "Your administrator has not given you access to ONES in Microsoft Entra ID. Ask them to assign you to the app.",
  50126: "The user name or password was wrong. Try again.",
  53003: "Your organisation's Conditional Access policies blocked this sign-in. Ask your administrator.",
  65001: "ONES does not have consent in your organisation yet. Ask your administrator to grant it.",
  65004: "You declined the permissions ONES asked for, so you are not signed in. Try again and accept them.",
  700016: "ONES is not registered in your organisation's Microsoft Entra ID. Ask your administrator.",
};

export function entraRefusal(error: string, description: string | undefined): AppError {
  const code = /^AADSTS(\d{1,7})\b/.exec(description ?? "")?.[1];
  const known = code === undefined ? undefined : reasons[Number(code)];
  if (known !== undefined)
    return new AppError("unauthenticated", known, { extensions: { entraError: `AADSTS${code}` } });
  if (error === "access_denied" && code === undefined)
    return new AppError("unauthenticated", "The sign-in was cancelled or refused. Try again.");
  return new AppError(
    "unauthenticated",
    `Microsoft Entra ID did not sign you in${code === undefined ? "" : ` (AADSTS${code})`}. Try again, or ask your administrator.`,
    code === undefined ? {} : { extensions: { entraError: `AADSTS${code}` } },
  );
}
