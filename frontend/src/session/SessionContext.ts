import { createContext, useContext } from "react";
import type { ViewerQuery } from "../gql/graphql";

export type Viewer = NonNullable<ViewerQuery["me"]>;

export interface Session {
  /** The signed-in user, null for an anonymous visitor, undefined while unknown. */
  viewer: Viewer | null | undefined;
  /** Forget every cached result and ask the server who is signed in (after login/logout). */
  restart: () => void;
  /** Refetch the viewer (e.g. after saving preferences or interests). */
  refresh: () => void;
}

export const SessionContext = createContext<Session>({
  viewer: undefined,
  restart: () => undefined,
  refresh: () => undefined,
});

export function useSession(): Session {
  return useContext(SessionContext);
}
