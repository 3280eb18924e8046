import { Suspense } from "react";
import { NavLink, Outlet, useNavigate } from "react-router-dom";
import { useMutation } from "urql";
import { graphql } from "../gql";
import { useSession } from "../session/SessionContext";
import { Loading } from "../components/Status";

const LogoutMutation = graphql(`
  mutation Logout {
    logout
  }
`);

export function Shell() {
  const { viewer, restart } = useSession();
  const navigate = useNavigate();
  const [{ fetching }, logout] = useMutation(LogoutMutation);

  async function signOut() {
    await logout({});
    navigate("/login", { replace: true });
    restart();
  }

  const navClass = ({ isActive }: { isActive: boolean }) => (isActive ? "nav__link nav__link--active" : "nav__link");

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/" className="brand" aria-label="Lupi, For you">
          <span className="brand-mark" aria-hidden="true" />
          Lupi
        </NavLink>
        <nav className="nav" aria-label="Main">
          <NavLink to="/" end className={navClass}>
            For you
          </NavLink>
          <NavLink to="/items" className={navClass}>
            Browse
          </NavLink>
          {viewer?.creator && (
            <NavLink to="/insights" className={navClass}>
              Insights
            </NavLink>
          )}
          <NavLink to="/model" className={navClass}>
            Model
          </NavLink>
          {viewer?.isStaff && (
            <NavLink to="/experiments" className={navClass}>
              Experiments
            </NavLink>
          )}
          <NavLink to="/preferences" className={navClass}>
            Preferences
          </NavLink>
        </nav>
        <div className="topbar__user">
          <span className="muted" data-testid="viewer-name">
            {viewer?.firstName || viewer?.username}
          </span>
          <button type="button" className="button button--ghost" onClick={signOut} disabled={fetching}>
            Log out
          </button>
        </div>
      </header>
      <main id="main" className="page" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
