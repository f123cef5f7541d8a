import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";

let credential: TokenCredential | undefined;

/** The managed identity (or developer sign-in) used for Azure resources when no connection string is set. */
export function azureCredential(managedIdentityClientId: string | undefined): TokenCredential {
  credential ??= new DefaultAzureCredential(
    managedIdentityClientId === undefined ? {} : { managedIdentityClientId },
  );
  return credential;
}
