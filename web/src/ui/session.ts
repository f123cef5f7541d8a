import { useCallback, useEffect, useState } from "react";
import { api, ApiProblem } from "../api/client";
import type { Me } from "../api/types";

export type SessionState =
  | { readonly kind: "loading" }
  | { readonly kind: "signed-out" }
  | { readonly kind: "signed-in"; readonly me: Me }
  | { readonly kind: "error"; readonly message: string };

/** Who is signed in (GET /api/me); 401 means nobody. */
export function useSession(): SessionState {
  const [state, setState] = useState<SessionState>({ kind: "loading" });
  useEffect(() => {
    api.get<Me>("/api/me").then(
      (me) => setState({ kind: "signed-in", me }),
      (error: unknown) =>
        setState(
          error instanceof ApiProblem && error.status === 401
            ? { kind: "signed-out" }
            : { kind: "error", message: error instanceof Error ? error.message : String(error) },
        ),
    );
  }, []);
  return state;
}

export function signInUrl(returnTo: string): string {
  return `/api/auth/login?returnTo=${encodeURIComponent(returnTo)}`;
}

/** Ends the session, then the Entra session when the server names where. */
export async function signOut(): Promise<void> {
  const result = await api.post<{ entraLogoutUrl?: string }>("/api/auth/logout");
  location.assign(result.body.entraLogoutUrl ?? "/");
}

/** Loads `load()` once (and again on `reload()`), keeping the last value, error and whether it runs. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[] = []) {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setLoading(true);
    load().then(
      (v) => {
        if (!live) return;
        setValue(v);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setError(e);
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [tick, ...deps]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { value, error, loading, reload, setValue };
}
