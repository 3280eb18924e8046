import { Navigate, useLocation } from "react-router-dom";
import { useSession } from "./SessionContext";

/** Sends anonymous visitors to the login page, remembering where they wanted to go. */
export function RequireViewer({ children }: { children: React.ReactNode }) {
  const { viewer } = useSession();
  const location = useLocation();
  if (!viewer) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/login?next=${next}`} replace />;
  }
  return <>{children}</>;
}
