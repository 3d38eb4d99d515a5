import { describe, expect, it } from "vitest";
import { codeOf } from "../../../platform/testing/given-when-then.js";
import { checkRunWindow, isRunOpen, mayManageCourse } from "./course.domain.js";

describe("course rules", () => {
  it("lets the owning provider and platform admins manage a course, and nobody else", () => {
    expect(mayManageCourse({ roles: ["provider"], providerId: "prv_1" }, "prv_1").ok).toBe(true);
    expect(mayManageCourse({ roles: ["platform_admin"] }, "prv_1").ok).toBe(true);
    expect(codeOf(mayManageCourse({ roles: ["provider"], providerId: "prv_2" }, "prv_1"))).toBe("CATALOG.NOT_COURSE_OWNER");
    expect(codeOf(mayManageCourse({ roles: ["learner"], providerId: "prv_1" }, "prv_1"))).toBe("CATALOG.NOT_COURSE_OWNER");
  });
  it("refuses a run that ends before it starts", () => {
    expect(codeOf(checkRunWindow({ startsAt: new Date("2026-05-01"), endsAt: new Date("2026-04-01") }))).toBe(
      "CATALOG.RUN_ENDS_BEFORE_START",
    );
    expect(checkRunWindow({ startsAt: new Date("2026-05-01"), endsAt: null }).ok).toBe(true);
  });
  it("treats a run as open while enrollable and not ended", () => {
    const now = new Date("2026-05-10");
    expect(isRunOpen({ enrollable: true, endsAt: null }, now)).toBe(true);
    expect(isRunOpen({ enrollable: true, endsAt: new Date("2026-05-09") }, now)).toBe(false);
    expect(isRunOpen({ enrollable: false, endsAt: null }, now)).toBe(false);
  });
});
