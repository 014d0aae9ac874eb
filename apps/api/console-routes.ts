import { existsSync } from "node:fs";
import * as path from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import { findProjectRoot } from "../../src/project-root";

export const CONSOLE_PREFIX = "/console/";

/**
 * Nothing but the console's own files: no inline script or style, no other origin, no framing.
 * Every value the console shows is set as text (Preact escapes it), never as markup.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** The web console (built by scripts/build-console.mjs into dist/console/), served as static files. */
export function registerConsoleRoutes(app: FastifyInstance): void {
  const root = path.join(findProjectRoot(), "dist", "console");
  app.get("/console", async (_request, reply) => reply.redirect(CONSOLE_PREFIX));
  if (!existsSync(root)) {
    app.get(`${CONSOLE_PREFIX}*`, async (_request, reply) =>
      reply.status(503).send({
        error: {
          code: "console_not_built",
          message: "run `npm run build` to build the console",
          field: null,
        },
      }),
    );
    return;
  }
  void app.register(fastifyStatic, {
    root,
    prefix: CONSOLE_PREFIX,
    index: ["index.html"],
    setHeaders: (response) => {
      response.setHeader("content-security-policy", CONTENT_SECURITY_POLICY);
      response.setHeader("x-content-type-options", "nosniff");
      response.setHeader("referrer-policy", "no-referrer");
    },
  });
}
