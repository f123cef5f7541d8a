import { DEMO_APPS } from "../../dev/m365";
import { startServiceBus, type RunningServiceBus } from "../../dev/servicebus";
import { queueNames } from "../../shared/app/ports/work-queue";
import { resetServices } from "../../shared/composition";
import { resetSettings } from "../../shared/config";
import { CookieJar, signIn, startAuthStack, type AuthStack } from "../integration/auth/helpers";

/**
 * The whole app on the local host (Azurite, the M365 simulator, every queue on a local Service Bus
 * broker) in application mode, with one admin signed in: requests carrying `admin.header()` get past
 * sign-in and the admin check to the parsers and use cases behind them.
 */
export interface AdminStack {
  readonly stack: AuthStack;
  readonly admin: CookieJar;
  stop(): Promise<void>;
}

export async function startAdminStack(user = "hana.hostile@contoso.example"): Promise<AdminStack> {
  const stack = await startAuthStack();
  let bus: RunningServiceBus | undefined;
  try {
    // Every queue on a local broker, so that health and the dead-letter views have their Service Bus.
    bus = await startServiceBus({ queues: queueNames.map((name) => ({ name })) });
    process.env.SERVICEBUS = bus.connectionString;
    resetSettings();
    await resetServices();
    stack.sim.control.addUser({ userPrincipalName: user, displayName: "Hana Hostile", mail: user });
    const admins = stack.sim.control.addGroup({
      displayName: "ONES admins (hostile input)",
      securityEnabled: true,
      members: [user],
    });
    await stack.configure("application", DEMO_APPS.applicationPermission, { adminGroupId: admins.id });
    const admin = new CookieJar();
    const signedIn = await signIn(stack, admin, user);
    if (signedIn.status !== 302) throw new Error(`sign-in answered ${signedIn.status}`);
    const running = bus;
    return {
      stack,
      admin,
      async stop() {
        await stack.stop();
        await running.stop();
      },
    };
  } catch (error) {
    await stack.stop();
    await bus?.stop();
    throw error;
  }
}
