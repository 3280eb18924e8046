import { useCallback, useEffect, useMemo } from "react";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { applyTheme, rememberTheme } from "../lib/theme";
import { ErrorMessage, Loading } from "../components/Status";
import { SessionContext } from "./SessionContext";

export const ViewerDocument = graphql(`
  query Viewer {
    me {
      id
      username
      firstName
      lastName
      isStaff
      creator {
        id
        displayName
      }
      preferences {
        accentColor
        fontSize
      }
      interests {
        tags {
          id
          name
        }
        categories {
          id
          name
        }
      }
    }
  }
`);

export function SessionProvider({
  restart,
  children,
}: {
  restart: () => void;
  children: React.ReactNode;
}) {
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: ViewerDocument,
    requestPolicy: "network-only",
  });
  const refresh = useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute]);

  const viewer = data ? data.me : undefined;
  const preferences = viewer?.preferences;
  useEffect(() => {
    if (preferences) rememberTheme(applyTheme(preferences));
  }, [preferences]);

  const session = useMemo(() => ({ viewer, restart, refresh }), [viewer, restart, refresh]);

  if (viewer === undefined && fetching) {
    return (
      <div className="boot">
        <Loading label="Starting Lupi…" />
      </div>
    );
  }
  if (viewer === undefined && error) {
    return (
      <div className="boot">
        <ErrorMessage title="Lupi could not start" error={error} onRetry={refresh} />
      </div>
    );
  }
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
