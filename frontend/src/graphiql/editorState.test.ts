import { describe, expect, it } from "vitest";
import { readParams, writeParams } from "./editorState";

describe("GraphiQL address state", () => {
  it("reads the query, variables and headers, ignoring empty and unknown ones", () => {
    expect(readParams("?q=%7B%20me%20%7D&variables=&x=1&headers=%7B%7D")).toEqual({ q: "{ me }", headers: "{}" });
    expect(readParams("")).toEqual({});
  });

  it("writes changes, keeps other parameters and drops emptied ones", () => {
    expect(writeParams("?x=1", { q: "{ me }" })).toBe("?x=1&q=%7B+me+%7D");
    expect(writeParams("?q=a&variables=b", { q: "" })).toBe("?variables=b");
    expect(writeParams("?q=a", { q: "" })).toBe("");
    expect(readParams(writeParams("", { q: "query { a(b: \"&=\") }" })).q).toBe('query { a(b: "&=") }');
  });
});
