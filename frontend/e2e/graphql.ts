import type { Page, Response } from "@playwright/test";

type Variables = Record<string, unknown>;

/**
 * The response to the next GraphQL operation `operationName` whose variables pass `match`.
 * Start waiting before the action that sends it, await it after: the test then reads the
 * page only once the answer it depends on has arrived (never after a fixed time).
 */
export function graphqlResponse(
  page: Page,
  operationName: string,
  match: (variables: Variables) => boolean = () => true,
): Promise<Response> {
  return page.waitForResponse((response) => {
    const request = response.request();
    if (request.method() !== "POST" || !new URL(request.url()).pathname.startsWith("/graphql/")) return false;
    const body = request.postDataJSON() as { operationName?: string; variables?: Variables } | null;
    return body?.operationName === operationName && match(body.variables ?? {});
  });
}

/** Runs `action` and waits for the operation it sends to be answered. */
export async function afterResponse(
  page: Page,
  operationName: string,
  action: () => Promise<unknown>,
  match?: (variables: Variables) => boolean,
): Promise<void> {
  const answered = graphqlResponse(page, operationName, match);
  await action();
  await answered;
}
