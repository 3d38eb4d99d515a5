import { Type } from "@sinclair/typebox";
import { authorize, principalOf } from "../../../platform/http/server.js";
import type { ModuleHost } from "../../../platform/module.js";
import { refuse } from "../errors.js";
import type { Course } from "./course.domain.js";
import { findCourse, runsOf, versionsOf, type RunRow, type VersionRow } from "./courses.sql.js";
import { addRun, addVersion, advertise, changeCourse, createCourse } from "./manage-courses.js";
import { Id, Text } from "../../../platform/http/schemas.js";
import { Json } from "../../../platform/http/openapi.js";
import { CourseDetail, CourseView, RunView, VersionView } from "./course-responses.js";

const Title = Text(300);
const Params = Type.Object({ courseId: Id });
const iso = (d: Date | null) => (d ? d.toISOString() : null);

const courseJson = (c: Course) => ({ courseId: c.courseId, providerId: c.providerId, title: c.title, auditAvailable: c.auditAvailable });
const versionJson = (v: VersionRow) => ({
  courseVersionId: v.courseVersionId,
  courseId: v.courseId,
  label: v.label,
  published: v.publishedAt !== null,
  publishedAt: iso(v.publishedAt),
  playPackageBuilt: v.playPackageBuiltAt !== null,
  playPackageBuiltAt: iso(v.playPackageBuiltAt),
  playPackageId: v.playPackageId,
});
const runJson = (r: RunRow) => ({
  runId: r.runId,
  runKey: r.runKey,
  courseId: r.courseId,
  courseVersionId: r.courseVersionId,
  startsAt: r.startsAt.toISOString(),
  endsAt: iso(r.endsAt),
  enrollable: r.enrollable,
  advertised: r.advertised,
});

export function courseRoutes({ kernel, server, authenticator }: ModuleHost): void {
  const editors = authorize(authenticator, "provider", "platform_admin");
  const tags = ["catalog"];
  const security = [{ bearer: [] }];

  server.post(
    "/api/v1/catalog/courses",
    {
      preValidation: editors,
      schema: {
        tags,
        operationId: "createCourse",
        summary: "Register a course (audit mode offered unless auditAvailable is false)",
        description:
          "A provider (for its own pid) or a platform admin. Listings sell a course's versions. 409 CATALOG.COURSE_EXISTS; 403 CATALOG.NOT_COURSE_OWNER for another provider's id.",
        response: { 201: Json(CourseView, "Registered") },
        security,
        body: Type.Object(
          { courseId: Type.Optional(Id), providerId: Id, title: Title, auditAvailable: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => reply.code(201).send(courseJson(await createCourse(kernel, principalOf(request), request.body))),
  );

  server.patch(
    "/api/v1/catalog/courses/:courseId",
    {
      preValidation: editors,
      schema: {
        tags,
        operationId: "changeCourse",
        summary: "Change a course's title or audit availability",
        description: "The course's provider or a platform admin. 404 CATALOG.COURSE_NOT_FOUND.",
        response: { 200: CourseView },
        security,
        params: Params,
        body: Type.Object(
          { title: Type.Optional(Title), auditAvailable: Type.Optional(Type.Boolean()) },
          { additionalProperties: false, minProperties: 1 },
        ),
      },
    },
    async (request) => courseJson(await changeCourse(kernel, principalOf(request), request.params.courseId, request.body)),
  );

  server.post(
    "/api/v1/catalog/courses/:courseId/versions",
    {
      preValidation: editors,
      schema: {
        tags,
        operationId: "addCourseVersion",
        summary: "Register a course version (published / built come from upstream events)",
        description:
          "The course's provider or a platform admin. A version becomes sellable once catalog.course_version.published.v1 and content.play_package.built.v1 arrive (POST /api/v1/events/ingest). 409 CATALOG.VERSION_EXISTS.",
        response: { 201: Json(VersionView, "Registered") },
        security,
        params: Params,
        body: Type.Object({ courseVersionId: Type.Optional(Id), label: Title }, { additionalProperties: false }),
      },
    },
    async (request, reply) =>
      reply.code(201).send(versionJson(await addVersion(kernel, principalOf(request), request.params.courseId, request.body))),
  );

  server.post(
    "/api/v1/catalog/courses/:courseId/runs",
    {
      preValidation: editors,
      schema: {
        tags,
        operationId: "addCourseRun",
        summary: "Add a run; advertising it un-advertises the course's previous advertised run",
        description:
          "The course's provider or a platform admin. A run is a dated cohort of a version; purchases enroll into the advertised run. 409 CATALOG.RUN_KEY_TAKEN; 422 CATALOG.VERSION_UNKNOWN; 400 CATALOG.RUN_ENDS_BEFORE_START.",
        response: { 201: Json(RunView, "Added") },
        security,
        params: Params,
        body: Type.Object(
          {
            runKey: Id,
            courseVersionId: Id,
            startsAt: Type.String({ format: "date-time" }),
            endsAt: Type.Optional(Type.String({ format: "date-time" })),
            enrollable: Type.Boolean(),
            advertised: Type.Boolean(),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const run = await addRun(kernel, principalOf(request), request.params.courseId, {
        ...body,
        startsAt: new Date(body.startsAt),
        endsAt: body.endsAt ? new Date(body.endsAt) : null,
      });
      return reply.code(201).send(runJson(run));
    },
  );

  server.post(
    "/api/v1/catalog/courses/:courseId/runs/:runKey/advertise",
    {
      preValidation: editors,
      schema: {
        tags,
        operationId: "advertiseCourseRun",
        summary: "Advertise an existing run (and only it)",
        description:
          "The course's provider or a platform admin. The course's previously advertised run stops being advertised. 404 CATALOG.RUN_NOT_FOUND.",
        security,
        params: Type.Object({ courseId: Id, runKey: Id }),
        response: { 200: RunView },
      },
    },
    async (request) => runJson(await advertise(kernel, principalOf(request), request.params.courseId, request.params.runKey)),
  );

  server.get(
    "/api/v1/catalog/courses/:courseId",
    {
      schema: {
        tags,
        operationId: "getCourse",
        summary: "A course with its versions and runs (public)",
        description: "Anyone, without a token. 404 CATALOG.COURSE_NOT_FOUND.",
        params: Params,
        response: { 200: CourseDetail },
      },
    },
    async (request) => {
      const course = await findCourse(kernel.db, request.params.courseId);
      if (!course) throw refuse({ code: "CATALOG.COURSE_NOT_FOUND", detail: `no course ${request.params.courseId}` });
      const [versions, runs] = await Promise.all([versionsOf(kernel.db, course.courseId), runsOf(kernel.db, course.courseId)]);
      return { ...courseJson(course), versions: versions.map(versionJson), runs: runs.map(runJson) };
    },
  );
}
