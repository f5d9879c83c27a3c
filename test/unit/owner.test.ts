import { describe, expect, it } from "vitest";
import { checkOwner, defaultOwner, ownerFromRemote } from "../../src/model/owner.js";

describe("the default owner", () => {
  it.each([
    ["git@github.com:acme/web.git", "acme/web"],
    ["https://github.com/acme/web", "acme/web"],
    ["https://github.com/acme/web.git/", "acme/web"],
    ["ssh://git@github.example.org/acme/web.git", "acme/web"],
    ["/work/main/.", undefined],
    ["../web", undefined],
  ])("%s → %s", (remote, owner) => {
    expect(ownerFromRemote(remote)).toBe(owner);
  });

  it("prefers GITHUB_REPOSITORY, as the action does", () => {
    expect(defaultOwner({ GITHUB_REPOSITORY: "acme/portal" }, "/")).toBe("acme/portal");
  });

  it("refuses owners that would not fit a tag value safely", () => {
    expect(checkOwner("acme/web")).toBeUndefined();
    expect(checkOwner("acme web")).toMatch(/may contain only/);
    expect(checkOwner("")).toMatch(/1-200/);
  });
});
