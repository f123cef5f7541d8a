/**
 * The part of Office.js the pane uses, typed here (the pane loads Office.js from Microsoft's CDN at run
 * time; it is not bundled). The same surface is implemented by the stand-in host's test double, so the
 * pane's logic runs unchanged in Outlook, in the stand-in and in unit tests.
 */
export interface AsyncResult<T> {
  readonly status: "succeeded" | "failed";
  readonly value: T;
  readonly error?: { readonly code?: number; readonly name?: string; readonly message: string };
}

export type AsyncCallback<T> = (result: AsyncResult<T>) => void;

export interface Recipient {
  readonly emailAddress: string;
  readonly displayName?: string;
  readonly recipientType?: string;
}

export interface RecipientsField {
  getAsync(callback: AsyncCallback<Recipient[]>): void;
  addAsync(recipients: { emailAddress: string; displayName: string }[], callback: AsyncCallback<void>): void;
  /** Replaces the whole list (Office.js has no single-recipient removal). */
  setAsync(recipients: { emailAddress: string; displayName: string }[], callback: AsyncCallback<void>): void;
}

export interface CustomProperties {
  get(name: string): unknown;
  set(name: string, value: string): void;
  remove(name: string): void;
  saveAsync(callback: AsyncCallback<void>): void;
}

/** The appointment organizer form (Office.AppointmentCompose). */
export interface AppointmentCompose {
  readonly start: { getAsync(callback: AsyncCallback<Date>): void };
  readonly end: { getAsync(callback: AsyncCallback<Date>): void };
  readonly requiredAttendees: RecipientsField;
  readonly optionalAttendees: RecipientsField;
  readonly location: {
    getAsync(callback: AsyncCallback<string>): void;
    setAsync(location: string, callback: AsyncCallback<void>): void;
  };
  /** Mailbox 1.8: locations with a type; a room location makes the room a resource of the meeting. */
  readonly enhancedLocation?: {
    addAsync(locations: { id: string; type: "room" | "custom" }[], callback: AsyncCallback<void>): void;
    removeAsync(locations: { id: string; type: "room" | "custom" }[], callback: AsyncCallback<void>): void;
  };
  loadCustomPropertiesAsync(callback: AsyncCallback<CustomProperties>): void;
  /** Saves the draft; the value is the item's id (Mailbox 1.3). */
  saveAsync(callback: AsyncCallback<string>): void;
  /** Mailbox 1.8: the saved item's id. */
  getItemIdAsync?(callback: AsyncCallback<string>): void;
}

export interface DialogMessage {
  readonly message?: string;
  readonly error?: number;
}

export interface OfficeDialog {
  addEventHandler(
    event: "dialogMessageReceived" | "dialogEventReceived",
    handler: (e: DialogMessage) => void,
  ): void;
  close(): void;
}

export interface OfficeSurface {
  readonly context: {
    readonly mailbox: {
      readonly item: AppointmentCompose;
      readonly userProfile: { readonly emailAddress: string; readonly displayName: string };
      /** Converts an EWS item id to the REST (Microsoft Graph) id; absent on some hosts. */
      convertToRestId?(itemId: string, restVersion: "v2.0"): string;
    };
    readonly requirements?: { isSetSupported(name: string, minVersion?: string): boolean };
    readonly ui?: {
      displayDialogAsync(
        url: string,
        options: { height: number; width: number; promptBeforeOpen?: boolean },
        callback: AsyncCallback<OfficeDialog>,
      ): void;
      messageParent?(message: string): void;
    };
  };
}

/** Office.js's callback style as a promise: resolves with the value, rejects with the error. */
export function call<T>(start: (callback: AsyncCallback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    start((result) => {
      if (result.status === "succeeded") resolve(result.value);
      else
        reject(
          new OfficeCallError(result.error?.message ?? "Outlook refused the request.", result.error?.code),
        );
    });
  });
}

export class OfficeCallError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = "OfficeCallError";
  }
}
