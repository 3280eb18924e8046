import { useEffect } from "react";

/** Sets the tab title for the page, so history and screen readers name it. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Lupi` : "Lupi";
  }, [title]);
}
