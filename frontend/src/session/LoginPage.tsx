import { useState } from "react";
import { Navigate, useSearchParams } from "react-router-dom";
import { useMutation } from "urql";
import { graphql } from "../gql";
import { errorText } from "../components/Status";
import { useSession } from "./SessionContext";
import { useTitle } from "../lib/useTitle";

const LoginMutation = graphql(`
  mutation Login($username: String!, $password: String!) {
    login(username: $username, password: $password) {
      id
      username
    }
  }
`);

/** Only same-site paths, so a crafted link cannot send the viewer elsewhere after login. */
export function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function LoginPage() {
  useTitle("Sign in");
  const { viewer, restart } = useSession();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [{ fetching, error }, login] = useMutation(LoginMutation);

  if (viewer) return <Navigate to={next} replace />;

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const result = await login({ username, password });
    if (result.data?.login) restart();
  }

  return (
    <main className="login" id="main">
      <form className="card login__form" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">
          <span className="brand-mark" aria-hidden="true" /> Sign in to Lupi
        </h1>
        <p className="muted">Your recommendations, your creator insights, your model.</p>
        <label>
          Username
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
            autoFocus
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {error && (
          <p className="form-error" role="alert">
            {errorText(error)}
          </p>
        )}
        <button type="submit" className="button button--primary" disabled={fetching}>
          {fetching ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
