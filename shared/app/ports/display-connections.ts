/** Web PubSub as the displays reach it: client URLs with tokens, and closing a device's connections. */
export interface DisplayConnections {
  /**
   * A client URL whose token names the device as its user and puts the connection in `groups` only,
   * with no role: the client can neither send nor join or leave any group. Undefined when Web PubSub
   * is not configured.
   */
  clientUrl(request: {
    readonly userId: string;
    readonly groups: readonly string[];
    readonly expiresInMinutes: number;
  }): Promise<string | undefined>;
  /** Closes every open connection of the device (its user id), saying why. */
  closeUserConnections(userId: string, reason: string): Promise<void>;
}
