/**
 * The Outlook add-in's manifest: the add-in-only XML manifest, which every Outlook the add-in serves
 * (on the web, new Outlook for Windows, classic Outlook for Windows, Mac) reads directly and which the
 * Microsoft 365 admin center deploys from its URL. It adds one button to the appointment organizer form
 * that opens the ONES task pane; everything it names lives under the deployment's own origin.
 */
export interface AddinManifestInput {
  /** The deployment's origin (APP_BASE_URL), https in production. */
  readonly baseUrl: string;
  /** A GUID stable for the deployment, so re-deploying updates rather than adds the add-in. */
  readonly id: string;
  /** Four-part version, raised when the manifest changes. */
  readonly version: string;
}

/** Sizes of the icons the manifest names (served at /addin/icon-{size}.png). */
export const ADDIN_ICON_SIZES = [16, 32, 64, 80, 128] as const;
export type AddinIconSize = (typeof ADDIN_ICON_SIZES)[number];

/** The manifest's texts in its default language and the other languages of ONES (Office locale tags). */
const texts = {
  "en-US": {
    name: "ONES rooms",
    description:
      "Find a ONES meeting room that is free and fits, with its booking rules, from the meeting form.",
    group: "ONES",
    button: "Book a ONES room",
    tip: "Find a free meeting room that fits, and hold it for this meeting.",
  },
  "zh-TW": {
    name: "ONES 會議室",
    description: "在會議表單中尋找空閒且合適的 ONES 會議室,並查看其預約規則。",
    group: "ONES",
    button: "預約 ONES 會議室",
    tip: "尋找空閒且合適的會議室,並為此會議保留。",
  },
  "zh-CN": {
    name: "ONES 会议室",
    description: "在会议表单中查找空闲且合适的 ONES 会议室,并查看其预订规则。",
    group: "ONES",
    button: "预订 ONES 会议室",
    tip: "查找空闲且合适的会议室,并为此会议保留。",
  },
  "ja-JP": {
    name: "ONES 会議室",
    description: "会議フォームから、空いていて人数に合う ONES の会議室を予約ルールとともに探します。",
    group: "ONES",
    button: "ONES の会議室を予約",
    tip: "空いていて人数に合う会議室を探し、この会議のために確保します。",
  },
} as const;

type TextKey = keyof (typeof texts)["en-US"];

const escapeXml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c] ?? c,
  );

/** An element's default value and its overrides in the other languages. */
function localized(tag: string, key: TextKey, attributes = ""): string {
  const override = tag.startsWith("bt:") ? "bt:Override" : "Override";
  const overrides = (["zh-TW", "zh-CN", "ja-JP"] as const)
    .map((locale) => `<${override} Locale="${locale}" Value="${escapeXml(texts[locale][key])}"/>`)
    .join("");
  return `<${tag}${attributes} DefaultValue="${escapeXml(texts["en-US"][key])}">${overrides}</${tag}>`;
}

export function addinManifest(input: AddinManifestInput): string {
  const base = input.baseUrl.replace(/\/+$/, "");
  const url = (path: string) => escapeXml(`${base}${path}`);
  const pane = url("/addin/pane");
  const icon = (size: AddinIconSize) => url(`/addin/icon-${size}.png`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<OfficeApp xmlns="http://schemas.microsoft.com/office/appforoffice/1.1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:bt="http://schemas.microsoft.com/office/officeappbasictypes/1.0" xmlns:mailappor="http://schemas.microsoft.com/office/mailappversionoverrides/1.0" xsi:type="MailApp">
  <Id>${escapeXml(input.id)}</Id>
  <Version>${escapeXml(input.version)}</Version>
  <ProviderName>ONES</ProviderName>
  <DefaultLocale>en-US</DefaultLocale>
  ${localized("DisplayName", "name")}
  ${localized("Description", "description")}
  <IconUrl DefaultValue="${icon(64)}"/>
  <HighResolutionIconUrl DefaultValue="${icon(128)}"/>
  <SupportUrl DefaultValue="${url("/app")}"/>
  <Hosts>
    <Host Name="Mailbox"/>
  </Hosts>
  <Requirements>
    <Sets>
      <Set Name="Mailbox" MinVersion="1.5"/>
    </Sets>
  </Requirements>
  <FormSettings>
    <Form xsi:type="ItemEdit">
      <DesktopSettings>
        <SourceLocation DefaultValue="${pane}"/>
      </DesktopSettings>
    </Form>
  </FormSettings>
  <Permissions>ReadWriteItem</Permissions>
  <Rule xsi:type="RuleCollection" Mode="Or">
    <Rule xsi:type="ItemIs" ItemType="Appointment" FormType="Edit"/>
  </Rule>
  <DisableEntityHighlighting>false</DisableEntityHighlighting>
  <VersionOverrides xmlns="http://schemas.microsoft.com/office/mailappversionoverrides" xsi:type="VersionOverridesV1_0">
    <Requirements>
      <bt:Sets DefaultMinVersion="1.5">
        <bt:Set Name="Mailbox"/>
      </bt:Sets>
    </Requirements>
    <Hosts>
      <Host xsi:type="MailHost">
        <DesktopFormFactor>
          <ExtensionPoint xsi:type="AppointmentOrganizerCommandSurface">
            <OfficeTab id="TabDefault">
              <Group id="onesRoomsGroup">
                <Label resid="groupLabel"/>
                <Control xsi:type="Button" id="onesRoomsOpenPane">
                  <Label resid="buttonLabel"/>
                  <Supertip>
                    <Title resid="buttonLabel"/>
                    <Description resid="buttonTip"/>
                  </Supertip>
                  <Icon>
                    <bt:Image size="16" resid="icon16"/>
                    <bt:Image size="32" resid="icon32"/>
                    <bt:Image size="80" resid="icon80"/>
                  </Icon>
                  <Action xsi:type="ShowTaskpane">
                    <SourceLocation resid="paneUrl"/>
                  </Action>
                </Control>
              </Group>
            </OfficeTab>
          </ExtensionPoint>
        </DesktopFormFactor>
      </Host>
    </Hosts>
    <Resources>
      <bt:Images>
        <bt:Image id="icon16" DefaultValue="${icon(16)}"/>
        <bt:Image id="icon32" DefaultValue="${icon(32)}"/>
        <bt:Image id="icon80" DefaultValue="${icon(80)}"/>
      </bt:Images>
      <bt:Urls>
        <bt:Url id="paneUrl" DefaultValue="${pane}"/>
      </bt:Urls>
      <bt:ShortStrings>
        ${localized("bt:String", "group", ' id="groupLabel"')}
        ${localized("bt:String", "button", ' id="buttonLabel"')}
      </bt:ShortStrings>
      <bt:LongStrings>
        ${localized("bt:String", "tip", ' id="buttonTip"')}
      </bt:LongStrings>
    </Resources>
  </VersionOverrides>
</OfficeApp>
`;
}
