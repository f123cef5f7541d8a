/** One cross-domain booking rule: people of `domain` book that domain's rooms through `mailbox`. */
export interface DomainRepresentative {
  /** Lower-case e-mail domain. */
  readonly domain: string;
  /** The representative mailbox; belongs to `domain`. */
  readonly mailbox: string;
}

/** The cross-domain booking part of the advanced settings (`PUT /api/admin/settings/cross-domain`). */
export interface CrossDomainSettings {
  readonly representatives: readonly DomainRepresentative[];
}

export interface CrossDomainStore {
  get(): Promise<CrossDomainSettings>;
  /** Replaces the whole list. */
  save(settings: CrossDomainSettings): Promise<void>;
}
