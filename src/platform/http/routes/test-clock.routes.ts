import { Type } from "@sinclair/typebox";
import { MAX_ADVANCE_MS, type TestClock } from "../../test-clock.js";
import type { Authenticator } from "../auth.js";
import { Instant } from "../schemas.js";
import { authorize, type HttpServer } from "../server.js";

const Now = Type.Object({ now: Instant }, { additionalProperties: false });

/**
 * The test clock (TEST_CLOCK=on only; without it these routes are not registered at all): read the
 * clock, or move it forward with every deadline on the way firing at its own time.
 */
export function testClockRoutes(server: HttpServer, testClock: TestClock, authenticator: Authenticator): void {
  server.get(
    "/api/v1/test-clock",
    {
      preValidation: authorize(authenticator),
      schema: {
        tags: ["test-clock"],
        operationId: "getTestClock",
        summary: "The service's clock (TEST_CLOCK=on)",
        description: "Any caller with a token: the service's current time. Only with TEST_CLOCK=on; otherwise the path answers 404.",
        security: [{ bearer: [] }],
        response: { 200: Now },
      },
    },
    async () => ({ now: testClock.now().toISOString() }),
  );

  server.post(
    "/api/v1/test-clock/advance",
    {
      preValidation: authorize(authenticator, "platform_admin"),
      schema: {
        tags: ["test-clock"],
        operationId: "advanceTestClock",
        summary: "Moves the clock forward, firing every deadline on the way in order and settling after each (TEST_CLOCK=on)",
        description:
          "Platform admins, TEST_CLOCK=on only: by ms, or to an instant. 422 TEST_CLOCK.BACKWARDS or TEST_CLOCK.TOO_FAR; 503 TEST_CLOCK.UNSETTLED when the system does not settle.",
        security: [{ bearer: [] }],
        body: Type.Union([
          Type.Object({ ms: Type.Integer({ minimum: 1, maximum: MAX_ADVANCE_MS }) }, { additionalProperties: false }),
          Type.Object({ to: Instant }, { additionalProperties: false }),
        ]),
        response: {
          200: Type.Object(
            {
              now: Instant,
              fired: Type.Integer({ description: "how many due times the clock stopped at on the way (their deadlines fired)" }),
            },
            { additionalProperties: false },
          ),
        },
      },
    },
    async (request) => {
      const body = request.body;
      const advanced = await testClock.advance("ms" in body ? { ms: body.ms } : { to: new Date(body.to) });
      return { now: advanced.now.toISOString(), fired: advanced.fired };
    },
  );
}
