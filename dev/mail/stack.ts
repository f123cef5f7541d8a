import { startMailSink, type MailSinkOptions, type RunningMailSink } from "./index";

export interface MailSinkOnStack {
  readonly sink: RunningMailSink;
  /** App settings that point system mail at the sink (SMTP by default; SendGrid with `channel`). */
  readonly env: Record<string, string>;
  readonly links: readonly { readonly label: string; readonly url: string }[];
  stop(): Promise<void>;
}

/**
 * The mail sink as one service of `npm start` (dev/stack.ts): start it, merge `env` into the app
 * settings, link the mailbox page from the start page. After the services are built, seed the sender
 * address with `seedSenderAddress` until the mail settings endpoint exists.
 */
export async function startMailSinkOnStack(
  options: MailSinkOptions & { channel?: "smtp" | "sendgrid" } = {},
): Promise<MailSinkOnStack> {
  const sink = await startMailSink(options);
  const env: Record<string, string> =
    options.channel === "sendgrid"
      ? {
          MAIL_CHANNEL: "sendgrid",
          SENDGRID_API_KEY: sink.sendGridApiKey,
          SENDGRID_BASE_URL: sink.sendGridBaseUrl,
        }
      : {
          MAIL_CHANNEL: "smtp",
          SMTP_HOST: sink.smtpHost,
          SMTP_PORT: String(sink.smtpPort),
          SMTP_SECURITY: "none",
        };
  return {
    sink,
    env,
    links: [{ label: "Dev mailbox (mail sink)", url: sink.pageUrl }],
    stop: () => sink.stop(),
  };
}

/** Writes the sender address into the stored mail settings, unless one is set (local stack and tests). */
export async function seedSenderAddress(
  store: { get(): Promise<{ senderAddress?: string }>; save(s: { senderAddress: string }): Promise<void> },
  senderAddress = "ones@contoso.com",
): Promise<void> {
  if ((await store.get()).senderAddress === undefined) await store.save({ senderAddress });
}
