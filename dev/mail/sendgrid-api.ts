import type { IncomingMessage, ServerResponse } from "node:http";
import { passHold, takeTemporary, type FaultState } from "./faults";
import { newMessageId, type MessageStore, type SinkMessage } from "./store";

/** SendGrid refuses requests over 30 MB. */
const MAX_BODY_BYTES = 30 * 1024 * 1024;
const emailPattern = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

interface SendGridError {
  message: string;
  field: string | null;
  help: string | null;
}

const error = (message: string, field: string | null = null): SendGridError => ({
  message,
  field,
  help: null,
});

/**
 * `POST /v3/mail/send` as SendGrid answers it: 202 with `x-message-id` and an empty body; 400 with
 * `{ errors: [...] }` naming each bad field; 401 without the right `Authorization: Bearer` key; 413 past
 * 30 MB. Each accepted personalization is kept as one message.
 */
export async function handleSendGrid(
  req: IncomingMessage,
  res: ServerResponse,
  options: { apiKey: string; store: MessageStore; faults: FaultState },
): Promise<void> {
  const send = (status: number, body?: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };

  const raw = await readBody(req);
  if (req.headers.authorization !== `Bearer ${options.apiKey}`) {
    send(401, { errors: [error("The provided authorization grant is invalid, expired, or revoked")] });
    return;
  }
  const temporary = takeTemporary(options.faults, "sendgrid");
  if (temporary !== undefined) {
    send(temporary, { errors: [error(temporary === 429 ? "too many requests" : "service unavailable")] });
    return;
  }
  if (raw === "too-large") {
    send(413, { errors: [error("Payload Too Large")] });
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(raw.toString("utf8"));
  } catch {
    send(400, { errors: [error("Invalid JSON")] });
    return;
  }
  const checked = validate(body, options.faults);
  if ("errors" in checked) {
    send(400, { errors: checked.errors });
    return;
  }
  const id = newMessageId();
  checked.messages.forEach((m, i) => options.store.add({ ...m, id: i === 0 ? id : `${id}.${i}` }));
  await passHold(options.faults, "answer");
  send(202, undefined, { "x-message-id": id });
}

type Unchecked = Record<string, unknown>;
const isObject = (v: unknown): v is Unchecked => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

function validate(
  body: unknown,
  faults: FaultState,
): { errors: SendGridError[] } | { messages: Omit<SinkMessage, "id">[] } {
  const errors: SendGridError[] = [];
  if (!isObject(body)) return { errors: [error("Bad Request")] };

  const from = isObject(body.from) ? body.from : undefined;
  const fromEmail = str(from?.email);
  if (fromEmail === undefined) {
    errors.push(
      error(
        "The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.",
        "from",
      ),
    );
  } else if (!emailPattern.test(fromEmail)) {
    errors.push(error("The from email does not contain a valid address.", "from.email"));
  }

  const personalizations = Array.isArray(body.personalizations) ? body.personalizations : [];
  if (personalizations.length === 0) {
    errors.push(
      error(
        "The personalizations field is required and must have at least one personalization.",
        "personalizations",
      ),
    );
  }
  const subject = str(body.subject);
  const content = Array.isArray(body.content) ? body.content : [];
  if (content.length === 0 && body.template_id === undefined) {
    errors.push(
      error(
        "Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block. We typically suggest both text/plain and text/html blocks are included, but only one block is required.",
        "content",
      ),
    );
  }
  content.forEach((c, i) => {
    if (!isObject(c) || typeof c.value !== "string" || c.value.length === 0) {
      errors.push(
        error("The content value must be a string at least one character in length.", `content.${i}.value`),
      );
    } else if (typeof c.type !== "string" || c.type.length === 0) {
      errors.push(error("The content type must be provided.", `content.${i}.type`));
    }
  });
  if (subject !== undefined && /[\r\n]/.test(subject)) {
    errors.push(error("The subject must not contain line breaks.", "subject"));
  }

  const messages: Omit<SinkMessage, "id">[] = [];
  personalizations.forEach((p, i) => {
    if (!isObject(p)) {
      errors.push(error("Bad Request", `personalizations.${i}`));
      return;
    }
    const to = Array.isArray(p.to) ? p.to : [];
    if (to.length === 0)
      errors.push(
        error(
          "The to array is required for all personalization objects, and must have at least one email object with a valid email address.",
          `personalizations.${i}.to`,
        ),
      );
    const recipients: { email: string; name?: string }[] = [];
    to.forEach((t, j) => {
      const email = isObject(t) ? str(t.email) : undefined;
      if (email === undefined || !emailPattern.test(email) || faults.rejected.has(email.toLowerCase())) {
        errors.push(error("Does not contain a valid address.", `personalizations.${i}.to.${j}.email`));
        return;
      }
      const name = isObject(t) ? str(t.name) : undefined;
      recipients.push({ email, ...(name === undefined ? {} : { name }) });
    });
    const pSubject = str(p.subject) ?? subject;
    if (pSubject === undefined || pSubject === "") {
      errors.push(
        error(
          "The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.",
          "subject",
        ),
      );
      return;
    }
    const fromName = str(from?.name);
    const headers = Object.fromEntries(
      Object.entries(isObject(body.headers) ? body.headers : {}).map(([k, v]) => [
        k.toLowerCase(),
        String(v),
      ]),
    );
    const customArgs = Object.fromEntries(
      Object.entries(isObject(body.custom_args) ? body.custom_args : {}).map(([k, v]) => [k, String(v)]),
    );
    const block = (type: string): string | undefined => {
      const found = content.find((c) => isObject(c) && c.type === type);
      return isObject(found) ? str(found.value) : undefined;
    };
    const text = block("text/plain");
    const html = block("text/html");
    messages.push({
      via: "sendgrid",
      receivedAt: new Date(),
      from: { email: fromEmail ?? "", ...(fromName === undefined ? {} : { name: fromName }) },
      to: recipients,
      envelopeTo: recipients.map((r) => r.email),
      subject: pSubject,
      ...(text === undefined ? {} : { text }),
      ...(html === undefined ? {} : { html }),
      headers,
      customArgs,
    });
  });
  return errors.length > 0 ? { errors } : { messages };
}

function readBody(req: IncomingMessage): Promise<Buffer | "too-large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? "too-large" : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
