import { Link as FluentLink } from "@fluentui/react-components";
import { useEffect, useState, type MouseEvent, type ReactNode } from "react";

/** A small router for the two apps: paths under /app or /admin, history API, no reloads. */
const listeners = new Set<() => void>();

export function navigate(path: string): void {
  if (path === location.pathname + location.search) return;
  history.pushState(null, "", path);
  listeners.forEach((l) => l());
}

export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = (): void => setPath(location.pathname);
    listeners.add(update);
    window.addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      window.removeEventListener("popstate", update);
    };
  }, []);
  return path;
}

/** A link that routes inside the app (ordinary clicks) and stays a real link (new tab, keyboard). */
export function RouteLink({
  href,
  children,
  current,
}: {
  href: string;
  children: ReactNode;
  current?: boolean;
}) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>): void => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return (
    <FluentLink href={href} onClick={onClick} aria-current={current === true ? "page" : undefined}>
      {children}
    </FluentLink>
  );
}
